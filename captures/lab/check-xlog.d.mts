/** Types for check-xlog.mjs (used by the TypeScript tests). */
export interface XLogRequest {
  url: string;
  host: string;
  scheme: string;
  path: string;
  status?: number;
  seconds?: number;
  error?: string;
}
export function requestsFromXLog(text: string): XLogRequest[];
export function hostsFromXLog(text: string): string[];
