/** The contract's `live:*` channels on the core services (the desktop's other channels are in desktop/handlers.ts). */
import type { ApiHandlers } from '../../contract/dispatch.ts';
import type { DesktopServices } from '../desktop/handlers.ts';
import { EarshotError } from '../errors.ts';
import type { LiveRecordings } from './recordings.ts';

import type { LiveChannel } from '../desktop/handlers.ts';

export type { LiveChannel };

function fromBase64(data: string): Uint8Array {
  return new Uint8Array(Buffer.from(data, 'base64'));
}

export function createLiveHandlers(s: DesktopServices, recordings: LiveRecordings): Pick<ApiHandlers, LiveChannel> {
  const choose = async (options?: { modelId?: string; language?: string }) => {
    const cfg = s.settings.get();
    const model = await s.models.resolve(options?.modelId ?? cfg.defaultModelId);
    const language = options?.language ?? cfg.language;
    return {
      modelDir: model.dir,
      modelName: model.name,
      device: cfg.device,
      threads: cfg.threads,
      language: language === 'auto' ? undefined : language,
    };
  };
  return {
    'live:prepare': async (options) => recordings.prepare(await choose(options)),
    'live:start': async (options) => {
      const choice = await choose(options);
      const { id, startedAt } = await recordings.start(choice);
      return { id, startedAt, model: choice.modelName };
    },
    'live:media': (id, chunk) => recordings.media(id, fromBase64(chunk)),
    'live:pause': async (id) => recordings.pause(id),
    'live:stop': async (id, reason) => {
      const t = await recordings.stop(id, reason);
      if (!t) return null;
      const { segments: _s, originalSegments, device: _d, ...rest } = t;
      return { ...rest, edited: originalSegments !== undefined };
    },
    'live:retranscribe': async (transcriptId) => {
      const t = await s.library.get(transcriptId);
      if (!t.mediaPath) throw new EarshotError('INVALID_PARAMETER', 'This transcript has no recording to transcribe');
      await s.license.authorize();
      const cfg = s.settings.get();
      const [job] = await s.jobs.add([{ kind: 'file', value: t.mediaPath, name: `${t.title}.webm` }], {
        language: cfg.language,
        task: cfg.task,
        device: cfg.device,
        threads: cfg.threads,
        vad: cfg.vad,
      });
      return job;
    },
  };
}
