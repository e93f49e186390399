/**
 * Batches: start one from a CSV or TXT file, follow it, and find earlier ones. `/batches` holds
 * the form and the tenant's recent batches; `/batches/:id` one batch, live.
 */
import {
  Alert,
  Anchor,
  Button,
  Grid,
  Loader,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { BatchView, StatusBadge } from './BatchView.js';
import { isFinished } from './job-events.js';
import { NewBatchForm } from './NewBatchForm.js';
import { sourceName } from './source-name.js';

/** While a batch runs, the list refreshes this often (the open batch itself streams). */
const LIST_REFRESH_MS = 2000;

export function BatchesPage() {
  const session = useSession();
  const navigate = useNavigate();
  if (!session.me) return <Navigate to="/sign-in" replace />;
  return (
    <Stack gap="md">
      <Title order={2}>Batches</Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <NewBatchForm onStarted={(id) => void navigate(`/batches/${id}`)} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <RecentBatches />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

export function BatchPage() {
  const session = useSession();
  const { id } = useParams();
  if (!session.me) return <Navigate to="/sign-in" replace />;
  return (
    <Stack gap="md">
      <Title order={2}>Batch</Title>
      <BatchView id={id!} />
      <Button component={Link} to="/batches" variant="default" w="fit-content">
        All batches
      </Button>
    </Stack>
  );
}

function RecentBatches() {
  const session = useSession();
  const batches = useQuery({
    queryKey: ['batches', session.tenantId],
    queryFn: async () => {
      const { data, error } = await api.GET('/api/v1/batches', {
        params: { query: { limit: 20 } },
      });
      if (!data) throw new Error(problemText(error));
      return data.batches;
    },
    refetchInterval: (query) =>
      query.state.data?.some((batch) => !isFinished(batch.status)) ? LIST_REFRESH_MS : false,
  });
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        Recent batches
      </Title>
      {batches.isPending && <Loader aria-label="Loading the batches" />}
      {batches.isError && (
        <Alert color="red" role="alert" title="Could not load the batches">
          {batches.error.message}
        </Alert>
      )}
      {batches.data?.length === 0 && (
        <Text c="dimmed" role="status">
          No batches yet. Start one with a CSV or TXT file.
        </Text>
      )}
      {!!batches.data?.length && (
        <Table.ScrollContainer minWidth={320}>
          <Table data-testid="recent-batches">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>File</Table.Th>
                <Table.Th>Rows</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {batches.data.map((batch) => (
                <Table.Tr key={batch.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/batches/${batch.id}`}>
                      {sourceName(batch.source)}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {new Date(batch.createdAt).toLocaleString()}
                    </Text>
                  </Table.Td>
                  <Table.Td>{batch.rows.toLocaleString()}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={batch.status} />
                    {!isFinished(batch.status) && (
                      <Progress
                        value={batch.progress}
                        mt={4}
                        aria-label={`Progress of ${sourceName(batch.source)}`}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
