'use client';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

// The dashboard's charts (recharts draws in the browser only). Each is a picture with a name; the
// numbers it draws are also in a table next to it (lib/analytics/shape.ts gives every bucket).

export const PALETTE = ['#dc2626', '#ea580c', '#d97706', '#7c3aed', '#2563eb', '#0891b2', '#db2777', '#65a30d', '#475569', '#0f766e'];

export interface Series {
  key: string;
  name: string;
  color: string;
}

export type ChartRow = { label: string } & Record<string, number | string | null>;

const axis = { fontSize: 11, fill: '#64748b' };

export function StackedBars({
  rows,
  series,
  label,
  percent = false,
}: {
  rows: ChartRow[];
  series: Series[];
  label: string;
  percent?: boolean;
}) {
  return (
    <div role="img" aria-label={label} className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" tick={axis} interval="preserveStartEnd" minTickGap={12} />
          <YAxis tick={axis} allowDecimals={false} tickFormatter={percent ? (v: number) => `${Math.round(v * 100)}%` : undefined} />
          <Tooltip />
          {series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} stackId="stack" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function Lines({ rows, series, label, percent = false }: { rows: ChartRow[]; series: Series[]; label: string; percent?: boolean }) {
  return (
    <div role="img" aria-label={label} className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" tick={axis} interval="preserveStartEnd" minTickGap={12} />
          <YAxis
            tick={axis}
            allowDecimals={percent}
            domain={percent ? [0, 1] : undefined}
            tickFormatter={percent ? (v: number) => `${Math.round(v * 100)}%` : undefined}
          />
          <Tooltip formatter={percent ? (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '–') : undefined} />
          {series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stroke={s.color}
              strokeWidth={2}
              // A bucket between two empty ones (no rate) is a lone point: draw points so it shows.
              dot={percent ? { r: 2.5, fill: s.color } : false}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
