// A log that keeps the first and last bytes of a process's output and elides the middle.
// Appending is O(chunk): nothing is ever re-concatenated while output streams, so a 10 MB run
// costs one pass over its bytes (see bench/pipelineEngine.ts).

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, cut on a character boundary. */
function utf8Prefix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // don't split a multi-byte character
  return decoder.decode(bytes.subarray(0, end));
}

/** Longest suffix of `text` whose UTF-8 encoding fits in `maxBytes`, cut on a character boundary. */
function utf8Suffix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return decoder.decode(bytes.subarray(start));
}

export function elisionMarker(bytes: number): string {
  return `\n… ${bytes} bytes elided …\n`;
}

export class CappedLog {
  private readonly headCap: number;
  private readonly tailCap: number;
  private head: string[] = [];
  private headBytes = 0;
  private headFull = false;
  /** Tail segments from index `tailStart` on; the array is compacted now and then, never shifted. */
  private tail: { text: string; bytes: number }[] = [];
  private tailStart = 0;
  private tailBytes = 0;
  private totalBytes = 0;

  /** `capBytes`: bytes of text kept in all; half for the head, half for the tail. */
  constructor(capBytes: number) {
    const cap = Math.max(0, Math.floor(capBytes));
    this.headCap = Math.floor(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  /** Appends decoded text (whole characters only: decode before appending). */
  append(text: string): void {
    if (!text) return;
    const bytes = Buffer.byteLength(text, 'utf8');
    this.totalBytes += bytes;
    if (!this.headFull) {
      if (this.headBytes + bytes <= this.headCap) {
        this.head.push(text);
        this.headBytes += bytes;
        return;
      }
      // This segment straddles the head's end: its start completes the head, the whole goes to
      // the tail too (only the tail's share of it is kept in the end).
      const part = utf8Prefix(text, this.headCap - this.headBytes);
      this.head.push(part);
      this.headBytes += Buffer.byteLength(part, 'utf8');
      this.headFull = true;
      this.pushTail(text, bytes);
      return;
    }
    this.pushTail(text, bytes);
  }

  private pushTail(text: string, bytes: number): void {
    this.tail.push({ text, bytes });
    this.tailBytes += bytes;
    // Drop whole segments that lie entirely before the last `tailCap` bytes.
    while (this.tailStart < this.tail.length - 1) {
      const first = this.tail[this.tailStart]!;
      if (this.tailBytes - first.bytes < this.tailCap) break;
      this.tailBytes -= first.bytes;
      this.tailStart++;
    }
    if (this.tailStart > 1024 && this.tailStart * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The kept text: everything when under the cap, else head + elision marker + tail. */
  result(): { text: string; truncated: boolean } {
    const headText = this.head.join('');
    if (!this.headFull) return { text: headText, truncated: false };
    const segments = this.tail.slice(this.tailStart).map((s) => s.text);
    let tailText = segments.join('');
    let tailBytes = this.tailBytes;
    // While the tail still starts in the segment that completed the head, don't repeat the bytes
    // the head already holds.
    const afterHead = this.totalBytes - this.headBytes;
    if (tailBytes > afterHead) {
      tailText = utf8Suffix(tailText, afterHead);
      tailBytes = afterHead;
    }
    if (tailBytes > this.tailCap) tailText = utf8Suffix(tailText, this.tailCap);
    const keptTail = Buffer.byteLength(tailText, 'utf8');
    const elided = this.totalBytes - this.headBytes - keptTail;
    if (elided <= 0) return { text: headText + tailText, truncated: false };
    return { text: headText + elisionMarker(elided) + tailText, truncated: true };
  }
}
