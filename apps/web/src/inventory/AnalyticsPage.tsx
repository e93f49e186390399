/**
 * The inventory dashboard: items by status (and by type, vendor or lot), items made and moved
 * per day, scrap rate per lot, and warranty expiries per month. Charts are Recharts (loaded with
 * this page only); each has a caption saying what it shows, and its numbers are in the chart's
 * accessible layer (keyboard and screen readers).
 */
import {
  Alert,
  Card,
  Loader,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';

const BY = ['status', 'type', 'vendor', 'lot'] as const;
type By = (typeof BY)[number];
/** Mantine's indigo 7 and teal 7: 4.5:1 or more on white and on the dark theme's card. */
const COLOURS = { primary: '#4263eb', secondary: '#0c8599' };

function useAnalytics<T>(name: string, load: () => Promise<{ data?: T; error?: unknown }>) {
  const session = useSession();
  return useQuery({
    queryKey: ['analytics', session.tenantId, name],
    queryFn: async () => {
      const { data, error } = await load();
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
}

export function AnalyticsPage() {
  const [by, setBy] = useState<By>('status');
  const counts = useAnalytics(`counts-${by}`, () =>
    api.GET('/api/v1/inventory/analytics/counts', { params: { query: { by } } }),
  );
  const throughput = useAnalytics('throughput', () =>
    api.GET('/api/v1/inventory/analytics/throughput', { params: { query: { days: 30 } } }),
  );
  const scrap = useAnalytics('scrap', () => api.GET('/api/v1/inventory/analytics/scrap-rate'));
  const expiries = useAnalytics('expiries', () =>
    api.GET('/api/v1/inventory/analytics/warranty-expiries', { params: { query: { months: 24 } } }),
  );
  const days = (throughput.data?.days ?? []).map((d) => ({
    day: d.day.slice(5),
    made: d.made,
    moved: Object.values(d.moved).reduce((a, b) => a + b, 0),
  }));
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Chart
        title="Items"
        caption={`How many items there are by ${by}.`}
        query={counts}
        extra={
          <SegmentedControl
            size="xs"
            aria-label="Count items by"
            data={[...BY]}
            value={by}
            onChange={(value) => setBy(value)}
          />
        }
      >
        <BarChart data={counts.data?.counts ?? []}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="key" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name="items" fill={COLOURS.primary} />
        </BarChart>
      </Chart>
      <Chart
        title="Throughput"
        caption="Items made and status changes per day (UTC), last 30 days."
        query={throughput}
      >
        <LineChart data={days}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Line dataKey="made" name="made" stroke={COLOURS.primary} dot={false} />
          <Line dataKey="moved" name="status changes" stroke={COLOURS.secondary} dot={false} />
        </LineChart>
      </Chart>
      <Chart title="Scrap rate" caption="Share of each lot's items scrapped, in %." query={scrap}>
        <BarChart
          data={(scrap.data?.lots ?? []).map((l) => ({
            lot: `${l.type} ${l.lot}`,
            rate: Math.round(l.rate * 1000) / 10,
          }))}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="lot" />
          <YAxis unit=" %" />
          <Tooltip />
          <Bar dataKey="rate" name="scrapped %" fill={COLOURS.secondary} />
        </BarChart>
      </Chart>
      <Chart
        title="Warranty expiries"
        caption="Items whose warranty ends in each month, next 24 months."
        query={expiries}
      >
        <BarChart data={expiries.data?.months ?? []}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name="warranties ending" fill={COLOURS.primary} />
        </BarChart>
      </Chart>
    </SimpleGrid>
  );
}

function Chart({
  title,
  caption,
  query,
  extra,
  children,
}: {
  title: string;
  caption: string;
  query: { isPending: boolean; isError: boolean; error: Error | null };
  extra?: ReactNode;
  children: React.ReactElement;
}) {
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {title}
        </Title>
        {extra}
        <Text size="sm" c="dimmed" id={`caption-${title}`}>
          {caption}
        </Text>
        {query.isPending && <Loader aria-label={`Loading ${title.toLowerCase()}`} />}
        {query.isError && (
          <Alert color="red" role="alert" title={`Could not load ${title.toLowerCase()}`}>
            {query.error?.message}
          </Alert>
        )}
        {!query.isPending && !query.isError && (
          <figure
            aria-labelledby={`caption-${title}`}
            style={{ margin: 0, height: 240 }}
            data-testid={`chart-${title}`}
          >
            <ResponsiveContainer width="100%" height="100%">
              {children}
            </ResponsiveContainer>
          </figure>
        )}
      </Stack>
    </Card>
  );
}
