/**
 * Bulk generation: a lot of component IDs with their codes. Small lots are made at once; large
 * ones run as a job whose progress bar is fed by its event stream. Then the label sheet (A4 or
 * Letter grid, UID under each code) downloads with the caller's credentials.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  NumberInput,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { saveBlob } from '../api/download.js';
import type { paths } from '../api/schema.js';
import { followJob, type Job } from '../batches/job-events.js';
import { problemText } from '../session.js';

type GenerateBody =
  paths['/api/v1/inventory/generate']['post']['requestBody']['content']['application/json'];

const today = () => new Date().toISOString().slice(0, 10);

export function GeneratePage() {
  const [form, setForm] = useState<GenerateBody>({
    componentType: '',
    vendorCode: '',
    lotNumber: '',
    manufacturingDate: today(),
    count: 100,
    warrantyYears: 2,
  });
  const set = (change: Partial<GenerateBody>) => setForm((current) => ({ ...current, ...change }));
  const [job, setJob] = useState<Job>();
  const generate = useMutation({
    mutationFn: async (body: GenerateBody) => {
      setJob(undefined);
      const { data, error } = await api.POST('/api/v1/inventory/generate', { body });
      if (!data) throw new Error(problemText(error));
      return data;
    },
  });
  const result = generate.data;

  // A large lot is a job: follow it until it ends.
  const jobId = result?.jobId;
  const [jobError, setJobError] = useState<string>();
  useEffect(() => {
    if (!jobId) return;
    const abort = new AbortController();
    followJob(jobId, setJob, abort.signal).then(
      (finished) =>
        finished.status !== 'completed' && setJobError(finished.error ?? 'The job failed'),
      (error: Error) => !abort.signal.aborted && setJobError(error.message),
    );
    return () => abort.abort();
  }, [jobId]);
  const done = result && (!jobId || job?.status === 'completed');
  const progress = jobId ? (job?.progress ?? 0) : result ? 100 : 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    generate.mutate({
      ...form,
      componentType: form.componentType.trim().toUpperCase(),
      vendorCode: form.vendorCode.trim().toUpperCase(),
      lotNumber: form.lotNumber.trim().toUpperCase(),
      ...(form.location ? { location: form.location } : {}),
    });
  };
  return (
    <Stack gap="md" maw={760}>
      <form onSubmit={submit} aria-label="Generate a lot">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label="Component type"
              placeholder="PAD"
              required
              value={form.componentType}
              onChange={(e) => set({ componentType: e.currentTarget.value })}
            />
            <TextInput
              label="Vendor"
              placeholder="V0100"
              required
              value={form.vendorCode}
              onChange={(e) => set({ vendorCode: e.currentTarget.value })}
            />
            <TextInput
              label="Lot"
              placeholder="L2026-01"
              required
              value={form.lotNumber}
              onChange={(e) => set({ lotNumber: e.currentTarget.value })}
            />
            <TextInput
              label="Manufacturing date"
              type="date"
              required
              value={form.manufacturingDate}
              onChange={(e) => set({ manufacturingDate: e.currentTarget.value })}
            />
            <NumberInput
              label="How many"
              min={1}
              required
              thousandSeparator=","
              value={form.count}
              onChange={(value) => set({ count: Number(value) || 1 })}
            />
            <NumberInput
              label="Warranty (years)"
              min={0}
              max={100}
              value={form.warrantyYears}
              onChange={(value) => set({ warrantyYears: Number(value) || 0 })}
            />
          </SimpleGrid>
          <TextInput
            label="Location (optional)"
            value={form.location ?? ''}
            onChange={(e) => set({ location: e.currentTarget.value || undefined })}
          />
          <Group>
            <Button type="submit" loading={generate.isPending}>
              Generate
            </Button>
          </Group>
        </Stack>
      </form>
      {generate.isError && (
        <Alert color="red" role="alert" title="Nothing was generated">
          {generate.error.message}
        </Alert>
      )}
      {jobError && (
        <Alert color="red" role="alert" title="The generation job did not finish">
          {jobError}
        </Alert>
      )}
      {result && (
        <Card withBorder>
          <Stack gap="sm">
            <Progress
              value={progress}
              size="lg"
              aria-label="Generation progress"
              aria-valuenow={progress}
              animated={!done}
            />
            <Text role="status">
              {done
                ? `${result.count.toLocaleString()} items made: ${result.firstUid} to ${result.lastUid}`
                : `Making ${result.count.toLocaleString()} items… ${progress} %`}
            </Text>
            {done && (
              <>
                <Anchor
                  component={Link}
                  to={`/inventory?lot=${encodeURIComponent(form.lotNumber.trim().toUpperCase())}`}
                  underline="always"
                >
                  See the lot's items
                </Anchor>
                <LabelSheet lotId={result.lotId} name={result.firstUid} />
              </>
            )}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

/** Label-sheet layout and download (also on the lots page). */
export function LabelSheet({ lotId, name }: { lotId: string; name: string }) {
  const [page, setPage] = useState<'A4' | 'Letter'>('A4');
  const [columns, setColumns] = useState<number | undefined>();
  const [rows, setRows] = useState<number | undefined>();
  const download = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.GET('/api/v1/inventory/lots/{id}/labels', {
        params: { path: { id: lotId }, query: { page, columns, rows } },
        parseAs: 'blob',
      });
      if (!data) throw new Error(problemText(error));
      saveBlob(data, `labels-${name}.pdf`);
    },
  });
  return (
    <Stack gap="xs">
      <Group gap="sm" align="flex-end">
        <SegmentedControl
          aria-label="Paper size"
          data={['A4', 'Letter']}
          value={page}
          onChange={(value) => setPage(value)}
        />
        <NumberInput
          label="Columns"
          placeholder="auto"
          min={1}
          max={20}
          w={100}
          value={columns ?? ''}
          onChange={(value) => setColumns(value === '' ? undefined : Number(value))}
        />
        <NumberInput
          label="Rows"
          placeholder="auto"
          min={1}
          max={30}
          w={100}
          value={rows ?? ''}
          onChange={(value) => setRows(value === '' ? undefined : Number(value))}
        />
        <Button variant="default" loading={download.isPending} onClick={() => download.mutate()}>
          Download label sheet (PDF)
        </Button>
      </Group>
      {download.isError && (
        <Alert color="red" role="alert" title="Could not make the label sheet">
          {download.error.message}
        </Alert>
      )}
    </Stack>
  );
}
