import type { ReactNode } from 'react';
import type { Schemas } from '../api/client';
import { useI18n } from '../i18n/i18n';

type Week = Schemas['SummaryWeekDto'];

const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 32 };

/**
 * The weekly trend: completed and approved tasks per week, as grouped bars in plain SVG (no chart
 * library: a few rectangles do not justify 50 KB of JavaScript). Accessible: `role="img"` with a
 * title and a description that states the totals, the bars' values in their `<title>`s, and the
 * same figures as a table under a disclosure. Series are told apart by pattern and label, not by
 * colour alone (approved bars are hatched).
 */
export function TrendChart({ weeks, timezone }: { weeks: Week[]; timezone: string }): ReactNode {
  const { t, formatNumber, formatDay } = useI18n();
  const max = Math.max(1, ...weeks.map((w) => Math.max(w.completed, w.approved)));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(weeks.length, 1);
  const bar = Math.max(2, slot / 2 - 3);
  const y = (v: number): number => PAD.top + innerH - (v / max) * innerH;
  const total = (k: 'completed' | 'approved'): number => weeks.reduce((n, w) => n + w[k], 0);
  const desc = t('dashboard.trendDesc', {
    zone: timezone,
    completed: formatNumber(total('completed')),
    approved: formatNumber(total('approved')),
  });
  return (
    <section>
      <h2 id="trend-title">{t('dashboard.trend')}</h2>
      <div className="trend-legend" aria-hidden="true">
        <span className="swatch swatch-completed" /> {t('dashboard.completed')} <span className="swatch swatch-approved" />{' '}
        {t('dashboard.approved')}
      </div>
      <svg className="trend" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="trend-svg-title trend-svg-desc">
        <title id="trend-svg-title">{t('dashboard.trend')}</title>
        <desc id="trend-svg-desc">{desc}</desc>
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" className="bar-approved-bg" />
            <line x1="0" y1="0" x2="0" y2="6" className="bar-approved-line" strokeWidth="3" />
          </pattern>
        </defs>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
        <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" className="tick">
          {formatNumber(max)}
        </text>
        <text x={PAD.left - 4} y={y(0)} textAnchor="end" className="tick">
          0
        </text>
        {weeks.map((w, i) => {
          const x = PAD.left + i * slot + 2;
          return (
            <g key={w.weekStart}>
              <rect x={x} y={y(w.completed)} width={bar} height={y(0) - y(w.completed)} className="bar-completed">
                <title>{`${formatDay(w.weekStart)}: ${t('dashboard.completed')} ${formatNumber(w.completed)}`}</title>
              </rect>
              <rect x={x + bar + 1} y={y(w.approved)} width={bar} height={y(0) - y(w.approved)} fill="url(#hatch)" className="bar-approved">
                <title>{`${formatDay(w.weekStart)}: ${t('dashboard.approved')} ${formatNumber(w.approved)}`}</title>
              </rect>
              {i % 2 === weeks.length % 2 ? null : (
                <text x={x + bar} y={HEIGHT - 8} textAnchor="middle" className="tick">
                  {w.weekStart.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>{t('dashboard.trendTable')}</summary>
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.week')}</th>
                <th scope="col" className="num">
                  {t('dashboard.completed')}
                </th>
                <th scope="col" className="num">
                  {t('dashboard.approved')}
                </th>
                <th scope="col" className="num">
                  {t('dashboard.rejectedWeek')}
                </th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w.weekStart}>
                  <th scope="row">{formatDay(w.weekStart)}</th>
                  <td className="num">{formatNumber(w.completed)}</td>
                  <td className="num">{formatNumber(w.approved)}</td>
                  <td className="num">{formatNumber(w.rejected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
