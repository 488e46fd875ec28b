// Counts Content-Security-Policy violations in this document from the very start (main.tsx imports
// this module first), reports each to the host, and mirrors the count on #csp-violations so the e2e
// test can assert that a strict CSP blocked nothing the dashboard needs.
type Listener = (e: { directive: string; blockedUri: string }) => void;

let count = 0;
const listeners = new Set<Listener>();
const early: { directive: string; blockedUri: string }[] = [];

function mirror(): void {
  let el = document.getElementById('csp-violations');
  if (!el) {
    el = document.createElement('div');
    el.id = 'csp-violations';
    el.hidden = true;
    document.body.appendChild(el);
  }
  el.dataset.count = String(count);
}

document.addEventListener('securitypolicyviolation', (e) => {
  count++;
  const v = { directive: e.effectiveDirective || e.violatedDirective, blockedUri: e.blockedURI };
  if (listeners.size) for (const l of listeners) l(v);
  else early.push(v);
  mirror();
});

/** Calls `listener` for every violation, including those before it subscribed. */
export function onCspViolation(listener: Listener): void {
  listeners.add(listener);
  for (const v of early.splice(0)) listener(v);
}

export function cspViolationCount(): number {
  return count;
}

mirror();
