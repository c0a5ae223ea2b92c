/**
 * The transcript's speakers above its segments: each in its colour; rename one (every segment follows) or merge it
 * into another. Both are segment edits, so they are saved at once and undone with Ctrl+Z like any other.
 */
import { type FormEvent, useState } from 'react';
import type { Transcript } from '../../../../electron/contract/api.ts';
import { SpeakerChip } from './SpeakerChip.tsx';
import { nameProblem } from './speakers.ts';

interface Props {
  names: string[];
  colours: ReadonlyMap<string, number>;
  diarization?: Transcript['diarization'];
  onRename(from: string, to: string): void;
}

export function SpeakersBar({ names, colours, diarization, onRename }: Props) {
  const [editing, setEditing] = useState<string>();
  return (
    <section className="speakers-bar" aria-label="Speakers" data-testid="speakers-bar">
      <span className="speakers-label small muted">Speakers</span>
      <ul className="speakers-list">
        {names.map((name) => (
          <li key={name}>
            {editing === name ? (
              <SpeakerEditor
                name={name}
                others={names.filter((n) => n !== name)}
                onDone={(to) => {
                  setEditing(undefined);
                  if (to !== undefined) onRename(name, to);
                }}
              />
            ) : (
              <button
                type="button"
                className="speaker-button"
                aria-label={`Rename or merge ${name}`}
                onClick={() => setEditing(name)}
              >
                <SpeakerChip name={name} colour={colours.get(name)} />
              </button>
            )}
          </li>
        ))}
      </ul>
      {diarization?.approximate && (
        <span className="small muted" data-testid="speakers-approximate">
          Approximate labels (no diarization model installed) — check who said what.
        </span>
      )}
      {diarization?.note && <span className="small muted">{diarization.note}</span>}
    </section>
  );
}

function SpeakerEditor({ name, others, onDone }: { name: string; others: string[]; onDone(to?: string): void }) {
  const [draft, setDraft] = useState(name);
  const problem = nameProblem(draft);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!problem) onDone(draft.trim());
  };
  return (
    <form className="speaker-editor" onSubmit={submit} aria-label={`Rename ${name}`}>
      <input
        aria-label={`New name for ${name}`}
        value={draft}
        maxLength={200}
        // biome-ignore lint/a11y/noAutofocus: the user asked to rename this speaker
        autoFocus
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <button type="submit" className="btn btn-small btn-primary" disabled={Boolean(problem)}>
        Rename
      </button>
      {others.length > 0 && (
        <select
          aria-label={`Merge ${name} into another speaker`}
          value=""
          onChange={(e) => e.target.value && onDone(e.target.value)}
        >
          <option value="">Merge into…</option>
          {others.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
      <button type="button" className="btn btn-small btn-ghost" onClick={() => onDone()}>
        Cancel
      </button>
      {problem && <span className="field-error small">{problem}</span>}
    </form>
  );
}
