/** Ways in: drop files or folders anywhere on the zone, pick them, or paste a link. */
import { type DragEvent, type FormEvent, useEffect, useState } from 'react';
import { urlProblem } from '../../../../electron/contract/rules.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { type SpeakerJobSettings, SpeakerJobOptions } from '../speakers/SpeakerJobOptions.tsx';
import { DropOptions, useDropChoices } from './DropOptions.tsx';

/** The main process's own URL rule, run here too: what it would refuse is flagged while typing. */
function checkUrl(text: string): string | undefined {
  return text.trim() ? urlProblem(text)?.message : undefined;
}

/** `compact`: one line once the queue has jobs (the window takes drops anywhere anyway). */
export function AddMedia({ compact = false }: { compact?: boolean }) {
  const { refreshLicense, settings, dropped, setDropped } = useApp();
  const [speakers, setSpeakers] = useState<SpeakerJobSettings>();
  // Until the user chooses for this batch, new jobs follow the default in Settings.
  const speakerChoice = speakers ?? { diarize: settings?.diarization.enabled ?? false };
  const drop = useDropChoices();
  // Only the choices actually made travel with the job; the rest follow Settings.
  const jobSpeakers = Object.fromEntries(
    Object.entries({ ...speakerChoice, ...drop.choices }).filter(([, v]) => v !== undefined),
  );
  const notify = useToast();
  const [over, setOver] = useState(false);
  const [url, setUrl] = useState('');
  const [touched, setTouched] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const urlError = touched ? checkUrl(url) : undefined;

  const addPaths = async (paths: string[]) => {
    if (paths.length === 0) return;
    try {
      const jobs = await call(earshot().jobs.addFiles(paths, jobSpeakers));
      setRefusal(undefined);
      notify(`${jobs.length} file${jobs.length === 1 ? '' : 's'} added to the queue`);
    } catch (e) {
      setRefusal(describeError(e));
      void refreshLicense();
    }
  };

  // Files dropped elsewhere on the window (or held on the welcome screen) are queued here, with this screen's options.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a drop arrives
  useEffect(() => {
    if (dropped.length === 0) return;
    setDropped([]);
    void addPaths(dropped);
  }, [dropped]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const paths = [...e.dataTransfer.files].map((f) => earshot().system.pathForFile(f)).filter(Boolean);
    void addPaths(paths);
  };

  const onSubmitUrl = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (checkUrl(url) || !url.trim()) return;
    try {
      await call(earshot().jobs.addUrl(url.trim(), jobSpeakers));
      setUrl('');
      setTouched(false);
      setRefusal(undefined);
    } catch (err) {
      setRefusal(describeError(err));
      void refreshLicense();
    }
  };

  return (
    <section className="add-media" aria-label="Add media">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target; the button inside is the keyboard path */}
      <div
        className={`dropzone${over ? ' over' : ''}${compact ? ' dropzone-compact' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span className="dropzone-icon" aria-hidden="true">
          <Icon name="upload" size={28} />
        </span>
        <p className="dropzone-title">
          {compact ? 'Drop more files anywhere in the window' : 'Drop audio or video files, or whole folders'}
        </p>
        {!compact && <p className="muted">WAV, MP3, M4A, FLAC, OGG, Opus, WebM, MP4, MOV, MKV — as many as you like</p>}
        <button
          type="button"
          className="btn btn-primary"
          onClick={async () => addPaths(await call(earshot().system.pickFiles()).catch(() => []))}
        >
          <Icon name="folder" size={16} /> Choose files…
        </button>
      </div>
      <form className="url-form" onSubmit={onSubmitUrl} noValidate>
        <label htmlFor="url-input" className="url-label">
          <Icon name="link" size={16} /> Or paste a link to a media file
        </label>
        <div className="url-row">
          <input
            id="url-input"
            type="url"
            inputMode="url"
            placeholder="https://example.com/interview.mp3"
            value={url}
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? 'url-error' : undefined}
            onChange={(e) => setUrl(e.target.value)}
            onBlur={() => setTouched(true)}
          />
          <button type="submit" className="btn" disabled={!url.trim() || Boolean(checkUrl(url))}>
            Transcribe link
          </button>
        </div>
        {urlError && (
          <p id="url-error" className="field-error" role="alert">
            {urlError}
          </p>
        )}
      </form>
      <div className="job-options">
        <DropOptions state={drop} />
        <SpeakerJobOptions value={speakerChoice} onChange={setSpeakers} />
      </div>
      {refusal && (
        <div className="callout callout-error" role="alert" data-testid="add-refused">
          <Icon name="alert" />
          <div>
            <strong>Transcription refused.</strong> {refusal}
          </div>
        </div>
      )}
    </section>
  );
}
