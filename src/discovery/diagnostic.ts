// Problems found while reading a workspace, as plain data: the VS Code adapter turns them into
// vscode.Diagnostic (lines and columns are 1-based here, 0-based there).

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

export interface DiscoveryDiagnostic {
  /** Path of the file, as given to the parser (relative to the workspace root in discoverServices). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: DiagnosticSeverity;
  message: string;
  /** Stable identifier, e.g. `compose/unknown-service`. */
  code: string;
}

/** Where something was found: 1-based line and column, end exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * Larger files are reported, not read. The yaml package parses about 1 MB/s on dense input
 * (measured: 5 MB of services took 6.5 s, blocking the extension host); real compose files and
 * package.json files are a few KB.
 */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Why the bytes cannot be read as a text file, or null when they can. */
export function notTextReason(content: string | Uint8Array, maxBytes: number): { code: string; message: string } | null {
  const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (size > maxBytes) {
    return {
      code: 'file-too-large',
      message: `File is ${formatBytes(size)}; files over ${formatBytes(maxBytes)} are not read`,
    };
  }
  if (typeof content === 'string') {
    return content.includes('\u0000') ? { code: 'binary', message: 'Not a text file (it contains NUL characters)' } : null;
  }
  if (content.subarray(0, 8000).includes(0)) {
    return { code: 'binary', message: 'Not a text file (it contains NUL bytes)' };
  }
  return null;
}

/** Decode UTF-8 strictly; null when the bytes are not valid UTF-8. */
export function decodeUtf8(content: string | Uint8Array): string | null {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return null;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}

export function fileDiagnostic(file: string, severity: DiagnosticSeverity, code: string, message: string): DiscoveryDiagnostic {
  return { file, line: 1, column: 1, severity, message, code };
}
