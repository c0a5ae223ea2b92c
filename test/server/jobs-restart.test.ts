/**
 * Callback jobs survive a crash of `earshot serve`: a finished job stays pollable after a restart, and a job that was
 * still running when the process was killed is reported failed, to the poller and to its webhook.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { curl, eventually, issueKey, localServer, startServe, synthesize, tempDir, testModel } from './harness.ts';

const model = testModel();
const dir = tempDir('jobs-restart');
after(() => rmSync(dir, { recursive: true, force: true }));

test('jobs are kept across a crash and restart', { skip: model ? false : 'no speech model yet' }, async () => {
  const key = await issueKey();
  const speech = readFileSync(synthesize(dir, 'hello', 'hello world'));
  const stalled: ServerResponse[] = [];
  const files = await localServer((req, res) => {
    if (req.url === '/stall.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': speech.length * 10 });
      res.write(speech.subarray(0, 4096));
      stalled.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(speech);
  });
  const webhooks: { job_id: string; status: string; error?: { code: string } }[] = [];
  const hook = await localServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      webhooks.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  const home = tempDir('jobs-home');
  const args = ['--model', model!.dir, '--allow-private-urls'];
  const submit = async (url: string, serveUrl: string) =>
    JSON.parse(
      (
        await curl([
          '-X',
          'POST',
          `${serveUrl}/v1/listen`,
          '-H',
          `Authorization: Token ${key}`,
          '-H',
          'Content-Type: application/json',
          '-d',
          JSON.stringify({ url, callback_url: `${hook.url}/hook` }),
        ])
      ).body,
    ).job_id as string;
  try {
    const first = await startServe({ keys: [key], args, home });
    const done = await submit(`${files.url}/hello.wav`, first.url);
    await eventually(() => webhooks.some((w) => w.job_id === done), 30_000, 'the first webhook');
    // Delivery is at least once: between the receiver's 200 and the record of it on disk a crash means one more
    // delivery after the restart. Once the server reports the delivery as recorded, it must never repeat it.
    await eventually(
      async () => {
        const res = await curl([`${first.url}/v1/jobs/${done}`, '-H', `Authorization: Token ${key}`]);
        return JSON.parse(res.body).callback_delivered === true;
      },
      10_000,
      'the delivery recorded',
    );
    const running = await submit(`${files.url}/stall.wav`, first.url);
    await eventually(() => stalled.length > 0, 10_000, 'the stalled download');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServe({ keys: [key], args, home });
    try {
      await eventually(() => webhooks.some((w) => w.job_id === running), 30_000, 'the failure webhook');
      const failure = webhooks.find((w) => w.job_id === running)!;
      assert.equal(failure.status, 'failed');
      assert.equal(failure.error?.code, 'INTERNAL_ERROR');
      const poll = async (id: string) =>
        JSON.parse((await curl([`${second.url}/v1/jobs/${id}`, '-H', `Authorization: Token ${key}`])).body);
      assert.equal((await poll(done)).status, 'completed');
      assert.equal(typeof (await poll(done)).result.text, 'string');
      assert.equal((await poll(running)).status, 'failed');
      assert.equal(webhooks.filter((w) => w.job_id === done).length, 1, 'a delivery on record is not delivered again');
    } finally {
      await second.stop();
    }
  } finally {
    for (const res of stalled) res.destroy();
    await files.close();
    await hook.close();
    rmSync(home, { recursive: true, force: true });
  }
});
