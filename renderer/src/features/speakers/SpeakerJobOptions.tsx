/** Per-job speaker options next to "add media": label speakers or not (the default comes from Settings), and how many. */
import type { JobSettings } from '../../../../electron/contract/api.ts';
import './speakers.css';

export type SpeakerJobSettings = Pick<JobSettings, 'diarize' | 'numSpeakers'>;

export function SpeakerJobOptions({
  value,
  onChange,
}: {
  value: SpeakerJobSettings;
  onChange(next: SpeakerJobSettings): void;
}) {
  return (
    <div className="job-speakers">
      <label className="check">
        <input
          type="checkbox"
          checked={Boolean(value.diarize)}
          onChange={(e) => onChange({ ...value, diarize: e.target.checked })}
          data-testid="job-diarize"
        />
        <span>Label speakers</span>
      </label>
      {value.diarize && (
        <label className="small">
          Speakers{' '}
          <select
            aria-label="Number of speakers"
            value={value.numSpeakers ?? ''}
            onChange={(e) => onChange({ ...value, numSpeakers: e.target.value ? Number(e.target.value) : undefined })}
          >
            <option value="">Find out</option>
            {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
