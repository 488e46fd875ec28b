// One valid message per webview → host message type: the fuzzer breaks copies of these. A type in
// src/shared/messageValidation.ts without a sample here fails test/unit/fuzz/webviewMessages.test.ts
// and the integration fuzz test with its name: add its sample (and its optional fields) here.
import type { MessageSamples } from './webviewMessages';

export const MESSAGE_SAMPLES: MessageSamples = {
  'webview/ready': { valid: { type: 'webview/ready' } },
  'conversation/post': { valid: { type: 'conversation/post', requestId: 'r-1', text: 'Ready for staging?' } },
  'release/assessRisk': { valid: { type: 'release/assessRisk', requestId: 'r-2' } },
  'webview/cspViolation': { valid: { type: 'webview/cspViolation', directive: 'script-src', blockedUri: 'inline' } },
  'roadmap/link': { valid: { type: 'roadmap/link', requestId: 'r-3', roadmapId: 'rm-1', milestoneId: 'ms-1' } },
  'roadmap/unlink': { valid: { type: 'roadmap/unlink', requestId: 'r-4', roadmapId: 'rm-1', milestoneId: 'ms-1' } },
  'notes/generate': { valid: { type: 'notes/generate', requestId: 'r-5' } },
  'notes/edit': { valid: { type: 'notes/edit', requestId: 'r-6' } },
  'notes/export': { valid: { type: 'notes/export', requestId: 'r-7' } },
  'metrics/refresh': { valid: { type: 'metrics/refresh', requestId: 'r-8' } },
  'service/add': { valid: { type: 'service/add', requestId: 'r-9' } },
  'service/edit': { valid: { type: 'service/edit', requestId: 'r-10', name: 'api' } },
  'service/remove': { valid: { type: 'service/remove', requestId: 'r-11', name: 'api' } },
  'traffic/watch': { valid: { type: 'traffic/watch', watching: true, environment: 'production' }, optional: ['environment'] },
  'traffic/action': { valid: { type: 'traffic/action', requestId: 'r-12', action: 'switch', environment: 'production' }, optional: ['environment'] },
  'promotion/promote': { valid: { type: 'promotion/promote', requestId: 'r-13', environment: 'staging' } },
  'promotion/approval': { valid: { type: 'promotion/approval', requestId: 'r-14', environment: 'production', decision: 'approve' } },
  'pipeline/action': { valid: { type: 'pipeline/action', requestId: 'r-15', runId: 'run-1', action: 'cancel' } },
};
