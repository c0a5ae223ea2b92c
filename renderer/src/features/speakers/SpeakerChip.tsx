/** A speaker's name in its colour: on each segment, in the speakers bar, in history and search results. */
import './speakers.css';

export function SpeakerChip({ name, colour, small }: { name: string; colour?: number; small?: boolean }) {
  return (
    <span
      className={`speaker-chip speaker-c${colour ?? 0}${small ? ' speaker-chip-small' : ''}`}
      data-testid="speaker-chip"
      title={name}
    >
      {name}
    </span>
  );
}

/** Several names, e.g. a transcript's speakers in the history list. */
export function SpeakerNames({ names }: { names: string[] }) {
  if (names.length === 0) return null;
  return (
    <span className="speaker-names">
      <span className="sr-only">Speakers: </span>
      {names.map((n, i) => (
        <SpeakerChip key={n} name={n} colour={i % 8} small />
      ))}
    </span>
  );
}
