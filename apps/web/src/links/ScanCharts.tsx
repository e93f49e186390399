/**
 * Scan analytics as figures and bar charts (Recharts, loaded with the pages that use it): the
 * totals line and one chart per breakdown. Shared by a dynamic code's and a lot's analytics.
 */
import { SimpleGrid, Text } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { paths } from '../api/schema.js';

export type Analytics =
  paths['/api/v1/links/analytics']['get']['responses']['200']['content']['application/json'];
/** Mantine's indigo 7: 4.5:1 or more on white and on the dark theme's card. */
const BAR = '#4263eb';

export function ScanCharts({ stats }: { stats: Analytics }) {
  const s = stats;
  return (
    <>
      <Text data-testid="scan-totals">
        {s.scans} scan{s.scans === 1 ? '' : 's'} by {s.visitors} visitor
        {s.visitors === 1 ? '' : 's'} ({s.bots} by bots, not counted)
        {s.lastScan && `; last ${new Date(s.lastScan).toLocaleString()}`}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Breakdown
          title="Scans per day"
          data={s.byDay.map((d) => ({ key: d.day.slice(5), scans: d.scans }))}
        />
        <Breakdown title="By device" data={s.byDevice} />
        <Breakdown title="By language" data={s.byLanguage} />
        <Breakdown title="By browser" data={s.byBrowser} />
      </SimpleGrid>
    </>
  );
}

function Breakdown({ title, data }: { title: string; data: { key: string; scans: number }[] }) {
  const id = `chart-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <figure style={{ margin: 0 }} aria-labelledby={id} data-testid={id}>
      <Text id={id} size="sm" fw={600} component="figcaption">
        {title}
      </Text>
      {data.length === 0 ? (
        <Text size="sm">No scans yet.</Text>
      ) : (
        <div style={{ height: 180 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="key" fontSize={12} />
              <YAxis allowDecimals={false} fontSize={12} width={32} />
              <Tooltip />
              <Bar dataKey="scans" fill={BAR} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
