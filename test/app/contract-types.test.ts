/**
 * The IPC schemas are type-linked to the contract: a schema that does not parse to exactly its method's arguments
 * fails `npm run typecheck`. Each planted wrong schema below must be caught (an unused @ts-expect-error is itself a
 * compile error), and the real table must pass. The runtime test only makes the runner count this file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { InvokeChannel } from '../../electron/contract/channels.ts';
import { REQUEST_SCHEMAS, SCHEMAS_MATCH_THE_CONTRACT, type UnlinkedIn } from '../../electron/contract/schemas.ts';

type Linked<S extends Record<InvokeChannel, z.ZodType>> = [UnlinkedIn<S>] extends [never] ? true : UnlinkedIn<S>;
const real: Linked<typeof REQUEST_SCHEMAS> = true;

// A number where the contract takes a string id.
const wrongType = { ...REQUEST_SCHEMAS, 'jobs:cancel': z.tuple([z.number()]) };
// @ts-expect-error jobs:cancel is unlinked
const caughtWrongType: Linked<typeof wrongType> = true;

// A job-settings schema that forgot a field the contract has (it would refuse valid requests at run time).
const missingField = {
  ...REQUEST_SCHEMAS,
  'jobs:addUrl': z.tuple([z.string(), z.object({ modelId: z.string().optional() }).strict().optional()]),
};
// @ts-expect-error jobs:addUrl is unlinked
const caughtMissingField: Linked<typeof missingField> = true;

// A settings patch with a field the settings record does not have.
const extraField = { ...REQUEST_SCHEMAS, 'settings:update': z.tuple([z.object({ colour: z.string() }).partial()]) };
// @ts-expect-error settings:update is unlinked
const caughtExtraField: Linked<typeof extraField> = true;

test('the IPC schemas are type-linked to the contract (checked by tsc; see the planted schemas above)', () => {
  assert.equal(SCHEMAS_MATCH_THE_CONTRACT, true);
  assert.deepEqual([real, caughtWrongType, caughtMissingField, caughtExtraField], [true, true, true, true]);
});
