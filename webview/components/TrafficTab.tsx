export function TrafficTab() {
  return (
    <div className="tab-body" id="traffic">
      <p className="muted" id="traffic-placeholder">
        Blue-green traffic control comes with traffic switching: both colours with their versions and health, the live split, weight steps
        (10 → 50 → 100), switch and one-click rollback, through HAProxy, nginx or your own commands.
      </p>
    </div>
  );
}
