import type { EarshotApi } from '../../electron/contract/api.ts';

declare global {
  interface Window {
    earshot: EarshotApi;
  }
}
