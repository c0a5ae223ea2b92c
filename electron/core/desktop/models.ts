/**
 * The desktop's models: the model manager's list, downloads (progress pushed to the window), import, removal and the
 * default, plus the folder that runs a job. The bundled demo model always carries its honest notice.
 */
import type { ModelView } from '../../contract/api.ts';
import { isDownloadable, variantSize } from '../models/catalog.ts';
import type { ModelManager } from '../models/index.ts';
import { sleep } from '../retry.ts';
import type { DesktopModels } from './handlers.ts';

export const DEMO_NOTICE = 'Demo model trained on synthetic voices: real recordings need a Whisper model.';

function withNotice(m: ModelView): ModelView {
  if (m.notice || !(m.bundled && m.family === 'ctc')) return m;
  return { ...m, notice: DEMO_NOTICE };
}

export function createManagedModels(manager: ModelManager): DesktopModels {
  return {
    async list() {
      const views = (await manager.views()).map(withNotice);
      if (views.some((m) => m.isDefault)) return views;
      // No explicit choice yet: mark the model that would run (e.g. the bundled demo), so the UI can name it.
      const running = await manager.resolveModel().catch(() => undefined);
      return views.map((m) => (m.id === running?.id ? { ...m, isDefault: true } : m));
    },
    async pull(id, variant, onProgress) {
      // Progress reaches the window as events; the call returns once the download is running or failed to start.
      const done = manager.pull(id, { variant, onProgress: ({ file: _f, ...p }) => onProgress(p) });
      done.catch(() => {});
      await Promise.race([done, sleep(250)]);
    },
    async cancelPull(id) {
      manager.cancelPull(id);
    },
    async import(dir) {
      const info = await manager.import(dir);
      return withNotice((await manager.views()).find((m) => m.id === info.id)!);
    },
    async recommend(englishOnly) {
      const { recommendation: r } = await manager.recommend({ englishOnly, calibrate: false });
      const entry = manager.catalog.models.find((m) => m.id === r.id);
      const view = (await manager.views()).find((m) => m.id === r.id);
      const size = entry && isDownloadable(entry) && r.variant ? variantSize(entry, r.variant).bytes : undefined;
      return {
        id: r.id,
        name: entry?.name ?? r.id,
        ...(r.variant ? { variant: r.variant } : {}),
        ...(size ? { sizeBytes: size } : {}),
        reason: r.reason,
        installed: view?.installed ?? false,
      };
    },
    remove: (id) => manager.remove(id),
    setDefault: (id) => manager.setDefault(id),
    getDefault: () => manager.getDefault(),
    async resolve(id) {
      // A job's model is an installed id, never a folder path (which would resolve against the working directory).
      const r = id ? await manager.resolveModelId(id) : await manager.resolveModel();
      const view = (await manager.views()).find((m) => m.id === r.id);
      return { id: r.id, name: view?.name ?? r.id, dir: r.dir };
    },
  };
}
