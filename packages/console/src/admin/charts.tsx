/** A small bar chart: one column per bar, scaled to the largest; the numbers are in its accessible name. */
export function BarChart({ title, bars }: { title: string; bars: { label: string; value: number }[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const summary = bars.length === 0 ? 'no data yet' : bars.map((b) => `${b.label}: ${b.value}`).join(', ');
  return (
    <figure style="margin: 0">
      <figcaption class="muted">{title}</figcaption>
      <div class="chart" role="img" aria-label={`${title}: ${summary}`}>
        {bars.map((b) => (
          <span
            key={b.label}
            class="col"
            style={{ height: `${(b.value / max) * 100}%` }}
            title={`${b.label}: ${b.value}`}
          />
        ))}
      </div>
      {bars.length > 0 ? (
        <div class="chart-axis muted" aria-hidden="true">
          <span>{bars[0]?.label}</span>
          <span>max {max}</span>
          {bars.length > 1 ? <span>{bars[bars.length - 1]?.label}</span> : null}
        </div>
      ) : null}
    </figure>
  );
}
