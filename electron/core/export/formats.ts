/** Every export format: the one list (export, settings, the contract's type and the IPC schemas derive from it). */
export const EXPORT_FORMATS = ['txt', 'txt-timestamps', 'srt', 'vtt', 'json', 'docx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
