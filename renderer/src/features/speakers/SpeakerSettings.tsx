/** Settings → Speaker labels: the default for new jobs, and which method finds the speakers. */
import type { Settings } from '../../../../electron/contract/api.ts';

type Diarization = Settings['diarization'];

export function SpeakerSettings({
  value,
  onChange,
}: {
  value: Diarization;
  onChange(patch: Partial<Diarization>): void;
}) {
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => onChange({ enabled: e.target.checked })}
          data-testid="speakers-default"
        />
        <span>
          Label speakers in new transcriptions
          <span className="small muted block">Each job can still turn it on or off when you add it.</span>
        </span>
      </label>
      <div className="field">
        <label htmlFor="diarize-with">How speakers are found</label>
        <select
          id="diarize-with"
          value={value.method}
          onChange={(e) => onChange({ method: e.target.value as Diarization['method'] })}
        >
          <option value="auto">Automatic: the speaker models when installed, otherwise approximate</option>
          <option value="classical">Approximate (no model; works offline at once)</option>
          <option value="neural">Speaker models only (pyannote + WeSpeaker)</option>
        </select>
        <span className="small muted">
          For better labels, download “pyannote segmentation 3.0” and “WeSpeaker ResNet34-LM” under Models.
        </span>
      </div>
    </>
  );
}
