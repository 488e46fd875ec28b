// How a failure reaches a person: the core's own refusal text for bad input and refused requests,
// a prefixed message (and the log) for anything unexpected. No 'vscode'.
import { NotFoundError, RefusedError, ValidationError } from '../core/model';
import { DatabaseReadOnlyError } from '../storage/database';

export interface UserMessage {
  message: string;
  /** The field a ValidationError names. */
  field?: string;
  /** True for refusals and bad input (the message is for the user); false for bugs and I/O failures. */
  expected: boolean;
}

export function userMessage(e: unknown): UserMessage {
  if (e instanceof ValidationError) return { message: e.message, field: e.field, expected: true };
  if (e instanceof RefusedError || e instanceof NotFoundError || e instanceof DatabaseReadOnlyError) return { message: e.message, expected: true };
  const text = e instanceof Error ? e.message : String(e);
  return { message: `Release Manager failed: ${text}`, expected: false };
}
