/**
 * The seed's two SDK snippets, character for character (shared/seed/authentication.txt, "SDK Integration"). The
 * tests run them with only their three literals filled in: the server's address, the license key and the audio URL
 * (a local file server instead of example.com). The README shows the same text (checked in sdk-readme.test.ts).
 */

export const SEED_PYTHON = `from smallest import Client

client = Client(
    api_url="http://localhost:7100",
    license_key="your-license-key-here"
)

result = client.transcribe_url("https://example.com/audio.wav")
print(result.text)
`;

export const SEED_JAVASCRIPT = `import { SmallestClient } from '@smallest/client';

const client = new SmallestClient({
  apiUrl: 'http://localhost:7100',
  licenseKey: 'your-license-key-here'
});

const result = await client.transcribeUrl('https://example.com/audio.wav');
console.log(result.text);
`;

/** The snippet with its placeholders replaced, and nothing else changed. */
export function fillSeedSnippet(snippet: string, apiUrl: string, licenseKey: string, audioUrl: string): string {
  const replacements: [string, string][] = [
    ['http://localhost:7100', apiUrl],
    ['your-license-key-here', licenseKey],
    ['https://example.com/audio.wav', audioUrl],
  ];
  let out = snippet;
  for (const [from, to] of replacements) {
    if (out.split(from).length !== 2) throw new Error(`the snippet should contain ${from} exactly once`);
    out = out.replace(from, to);
  }
  return out;
}
