/**
 * Every invoke channel of the contract, `<service>:<method>`. The preload builds `window.earshot` from this list,
 * main registers one validated handler per entry (schemas.ts), and the end-to-end tests bind the same list to the
 * real core, so the three can never drift apart.
 */
export const INVOKE_CHANNELS = [
  'license:status',
  'license:set',
  'license:remove',
  'jobs:list',
  'jobs:addFiles',
  'jobs:addUrl',
  'jobs:cancel',
  'jobs:retry',
  'jobs:remove',
  'jobs:setPaused',
  'jobs:isPaused',
  'transcripts:list',
  'transcripts:page',
  'transcripts:existing',
  'transcripts:get',
  'transcripts:updateSegments',
  'transcripts:rename',
  'transcripts:remove',
  'transcripts:restore',
  'transcripts:listTrash',
  'transcripts:deleteForever',
  'transcripts:search',
  'transcripts:export',
  'transcripts:mediaUrl',
  'transcripts:reveal',
  'exports:chooseFolder',
  'exports:write',
  'models:list',
  'models:pull',
  'models:cancelPull',
  'models:import',
  'models:remove',
  'models:setDefault',
  'models:recommend',
  'watch:status',
  'settings:get',
  'settings:update',
  'server:status',
  'system:info',
  'system:pickFiles',
  'system:copyText',
  'system:reveal',
  'system:notices',
  'system:dismissNotice',
  'live:prepare',
  'live:start',
  'live:media',
  'live:pause',
  'live:stop',
  'live:retranscribe',
] as const;

/** Main → preload: a recording's frames port (`{ id }` with the port in the message's ports). */
export const LIVE_FRAMES_CHANNEL = 'live:frames';

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** Push channels and the contract method that subscribes to each. */
export const EVENT_SUBSCRIPTIONS = [
  { channel: 'jobs:event', service: 'jobs', method: 'onUpdate' },
  { channel: 'models:event', service: 'models', method: 'onProgress' },
  { channel: 'app:event', service: 'app', method: 'onCommand' },
  { channel: 'live:event', service: 'live', method: 'onEvent' },
] as const;
