/**
 * Choices for the next files dropped or linked: the model, the language and the task, remembered between sessions
 * (in this window's local storage — they are a habit, not a setting). Languages the chosen model cannot transcribe
 * and translation with a model that only transcribes are offered but disabled, so the user sees why.
 */
import { useEffect, useMemo, useState } from 'react';
import type { JobSettings, ModelView } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';

export type DropChoices = Pick<JobSettings, 'modelId' | 'language' | 'task'>;

const KEY = 'earshot.dropChoices';

function remembered(): DropChoices {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return {
      modelId: typeof v.modelId === 'string' ? v.modelId : undefined,
      language: typeof v.language === 'string' ? v.language : undefined,
      task: v.task === 'translate' || v.task === 'transcribe' ? v.task : undefined,
    };
  } catch {
    return {};
  }
}

const names = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: 'language' });
  } catch {
    return undefined;
  }
})();
const languageName = (code: string) => names?.of(code) ?? code;

/** The choices to send with a job (undefined fields follow Settings), and the selector row. */
export function useDropChoices() {
  const [models, setModels] = useState<ModelView[]>([]);
  const [choices, setChoices] = useState<DropChoices>(remembered);
  useEffect(() => {
    void call(earshot().models.list())
      .then((m) => setModels(m.filter((x) => x.installed && x.transcribes)))
      .catch(() => {});
  }, []);
  const update = (next: DropChoices) => {
    setChoices(next);
    localStorage.setItem(KEY, JSON.stringify(next));
  };
  // A remembered model that was removed since falls back to the default.
  const model = models.find((m) => m.id === choices.modelId) ?? models.find((m) => m.isDefault);
  const valid: DropChoices = {
    modelId: models.some((m) => m.id === choices.modelId) ? choices.modelId : undefined,
    language: choices.language && model && !model.languages.includes(choices.language) ? undefined : choices.language,
    task: choices.task === 'translate' && model?.family !== 'whisper' ? undefined : choices.task,
  };
  return { models, model, choices: valid, update };
}

export function DropOptions({ state }: { state: ReturnType<typeof useDropChoices> }) {
  const { models, model, choices, update } = state;
  const languages = useMemo(() => {
    const all = new Set(models.flatMap((m) => m.languages));
    return [...all].sort((a, b) => languageName(a).localeCompare(languageName(b)));
  }, [models]);
  if (models.length === 0) return null;
  const canTranslate = model?.family === 'whisper' && model.languages.length > 1;
  return (
    <fieldset className="drop-options" data-testid="drop-options">
      <legend className="small muted">For the next files</legend>
      <label className="small">
        Model{' '}
        <select
          value={choices.modelId ?? ''}
          onChange={(e) => update({ ...choices, modelId: e.target.value || undefined })}
          data-testid="drop-model"
        >
          <option value="">Default ({models.find((m) => m.isDefault)?.name ?? 'none'})</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label className="small">
        Language{' '}
        <select
          value={choices.language ?? ''}
          onChange={(e) => update({ ...choices, language: e.target.value || undefined })}
          data-testid="drop-language"
        >
          <option value="">As in Settings</option>
          <option value="auto" disabled={model !== undefined && model.languages.length < 2}>
            Detect automatically
          </option>
          {languages.map((code) => {
            const ok = !model || model.languages.includes(code);
            return (
              <option key={code} value={code} disabled={!ok}>
                {languageName(code)}
                {ok ? '' : ` — not in ${model?.name}`}
              </option>
            );
          })}
        </select>
      </label>
      <label className="small">
        Task{' '}
        <select
          value={choices.task ?? ''}
          onChange={(e) => update({ ...choices, task: (e.target.value || undefined) as DropChoices['task'] })}
          data-testid="drop-task"
        >
          <option value="">As in Settings</option>
          <option value="transcribe">Transcribe</option>
          <option value="translate" disabled={!canTranslate}>
            Translate to English{canTranslate ? '' : ' — this model only transcribes'}
          </option>
        </select>
      </label>
    </fieldset>
  );
}
