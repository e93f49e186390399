/**
 * Starting a batch: drop a CSV or TXT file, check its first rows, map the columns, choose the
 * formats, an optional label sheet and the styling, and start. The file goes to the API as is;
 * the rows are read here only for the preview.
 */
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Chip,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useDropzone } from 'react-dropzone';
import { api } from '../api/client.js';
import { isOn, useFeatures } from '../features.js';
import { problemText } from '../session.js';
import { DEFAULT_STYLE, toApiStyle, type CodeStyle } from '../style/code-style.js';
import { StylePanel } from '../style/StylePanel.js';
import {
  guessColumn,
  kindOf,
  previewInput,
  readStart,
  type InputKind,
  type InputPreview,
} from './input-preview.js';

const FORMATS = ['png', 'svg', 'pdf', 'txt'] as const;
type Format = (typeof FORMATS)[number];

interface Mapping {
  data: number;
  name?: number;
  label?: number;
}

export function NewBatchForm({ onStarted }: { onStarted: (batchId: string) => void }) {
  const [file, setFile] = useState<{ file: File; kind: InputKind }>();
  const [fileError, setFileError] = useState<string>();
  const [header, setHeader] = useState(true);
  const [preview, setPreview] = useState<InputPreview>();
  const [mapping, setMapping] = useState<Mapping>({ data: 0 });
  const [formats, setFormats] = useState<Format[]>(['png']);
  const [sheet, setSheet] = useState<'none' | 'A4' | 'Letter'>('none');
  const [dynamic, setDynamic] = useState(false);
  const features = useFeatures();
  const [style, setStyle] = useState<CodeStyle>(DEFAULT_STYLE);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string>();

  const dropzone = useDropzone({
    multiple: false,
    accept: { 'text/csv': ['.csv'], 'text/plain': ['.txt'] },
    onDrop(accepted, rejected) {
      setStartError(undefined);
      const chosen = accepted[0];
      const kind = chosen && kindOf(chosen);
      if (!chosen || !kind) {
        setFile(undefined);
        setFileError(
          `Choose one .csv or .txt file${rejected[0] ? ` (${rejected[0].file.name} is neither)` : ''}`,
        );
        return;
      }
      setFileError(undefined);
      setFile({ file: chosen, kind });
    },
  });

  // Re-read the preview when the file or the header choice changes.
  useEffect(() => {
    if (!file) return setPreview(undefined);
    let current = true;
    readStart(file.file).then(
      async ({ text, whole }) => {
        if (!current) return;
        try {
          const next = await previewInput(text, file.kind, { header, whole });
          if (!current) return;
          setPreview(next);
          setFileError(next.rows.length ? undefined : 'The file has no rows');
          setMapping({
            data: guessColumn(next.columns, 'data') ?? 0,
            name: header ? guessColumn(next.columns, 'name') : undefined,
            label: header ? guessColumn(next.columns, 'label') : undefined,
          });
        } catch (error) {
          setPreview(undefined);
          setFileError((error as Error).message);
        }
      },
      (error: Error) => current && setFileError(`The file cannot be read: ${error.message}`),
    );
    return () => {
      current = false;
    };
  }, [file, header]);

  async function start() {
    if (!file) return;
    setStarting(true);
    setStartError(undefined);
    const column = (index: number | undefined) => (index === undefined ? undefined : index + 1);
    const options = {
      formats,
      ...toApiStyle(style),
      ...(file.kind === 'csv'
        ? {
            columns: {
              header,
              data: column(mapping.data),
              name: column(mapping.name),
              label: column(mapping.label),
            },
          }
        : {}),
      ...(sheet === 'none' ? {} : { sheet: { page: sheet, labels: true } }),
      ...(dynamic && isOn(features, 'dynamic-codes') ? { dynamic: true } : {}),
    };
    const form = new FormData();
    form.append('options', JSON.stringify(options));
    form.append('file', file.file, file.file.name);
    const { data, error } = await api.POST('/api/v1/batches', { body: form as never });
    setStarting(false);
    if (!data) return setStartError(problemText(error));
    onStarted(data.id);
  }

  const columnChoices = (preview?.columns ?? []).map((title, index) => ({
    value: String(index),
    label: title,
  }));
  const optionalColumn = (role: 'name' | 'label', label: string, description: string) => (
    <Select
      label={label}
      description={description}
      placeholder="None"
      clearable
      data={columnChoices}
      value={mapping[role] === undefined ? null : String(mapping[role])}
      onChange={(value) =>
        setMapping({ ...mapping, [role]: value === null ? undefined : Number(value) })
      }
    />
  );
  const nothingToMake = formats.length === 0 && sheet === 'none';

  return (
    <Stack gap="md">
      <Card withBorder>
        <Stack gap="sm">
          <Title order={3} size="h4">
            1. Choose a file
          </Title>
          <Paper
            {...dropzone.getRootProps()}
            withBorder
            p="xl"
            data-testid="dropzone"
            style={{
              borderStyle: 'dashed',
              borderWidth: 2,
              cursor: 'pointer',
              textAlign: 'center',
              borderColor: dropzone.isDragActive
                ? 'var(--mantine-primary-color-filled)'
                : undefined,
            }}
          >
            <input {...dropzone.getInputProps()} aria-label="Batch file (CSV or TXT)" />
            <Text fw={500}>
              {dropzone.isDragActive
                ? 'Drop the file here'
                : 'Drop a CSV or TXT file here, or click to choose one'}
            </Text>
            <Text size="sm" c="dimmed">
              CSV: one code per row, columns mapped below. TXT: one code per line.
            </Text>
            {file && (
              <Text size="sm" mt="xs" data-testid="chosen-file">
                {file.file.name} · {formatBytes(file.file.size)}
              </Text>
            )}
          </Paper>
          {fileError && (
            <Alert color="red" role="alert" title="This file cannot be used">
              {fileError}
            </Alert>
          )}
        </Stack>
      </Card>

      {file && preview && (
        <Card withBorder>
          <Stack gap="sm">
            <Title order={3} size="h4">
              2. Check the rows
            </Title>
            {file.kind === 'csv' && (
              <Checkbox
                label="The first row is a header"
                checked={header}
                onChange={(event) => setHeader(event.currentTarget.checked)}
              />
            )}
            <Table.ScrollContainer minWidth={320}>
              <Table striped withTableBorder data-testid="batch-preview">
                <Table.Caption>
                  The first {preview.rows.length} rows{preview.more ? ' (the file has more)' : ''}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    {preview.columns.map((title, index) => (
                      <Table.Th key={index}>
                        {title}
                        {index === mapping.data && ' (data)'}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.rows.map((row, r) => (
                    <Table.Tr key={r}>
                      <Table.Td>{r + 1}</Table.Td>
                      {preview.columns.map((_, c) => (
                        <Table.Td key={c}>{row[c] ?? ''}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {file.kind === 'csv' && (
              <Group grow align="flex-start">
                <Select
                  label="Data column"
                  description="What each code holds"
                  data={columnChoices}
                  value={String(mapping.data)}
                  onChange={(value) =>
                    value !== null && setMapping({ ...mapping, data: Number(value) })
                  }
                  allowDeselect={false}
                />
                {optionalColumn('name', 'File-name column', 'Default: qr-00001, qr-00002, …')}
                {optionalColumn('label', 'Label column', 'Printed under each code on the sheet')}
              </Group>
            )}
          </Stack>
        </Card>
      )}

      {file && preview && (
        <Card withBorder>
          <Stack gap="sm">
            <Title order={3} size="h4">
              3. Choose the output
            </Title>
            <Text size="sm" fw={500} id="formats-label">
              Files in the ZIP
            </Text>
            <Chip.Group multiple value={formats} onChange={(value) => setFormats(value)}>
              <Group gap="xs" role="group" aria-labelledby="formats-label">
                {FORMATS.map((format) => (
                  <Chip key={format} value={format}>
                    {format.toUpperCase()}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
            <Select
              label="Label sheet (PDF)"
              data={[
                { value: 'none', label: 'No label sheet' },
                { value: 'A4', label: 'A4 sheet' },
                { value: 'Letter', label: 'Letter sheet' },
              ]}
              value={sheet}
              onChange={(value) => value && setSheet(value)}
              allowDeselect={false}
            />
            {isOn(features, 'dynamic-codes') && (
              <Checkbox
                label="Dynamic codes: each row's data is a web address; print a short address of ours for it, whose target can change later"
                description="The report lists each row's short address; edit them on the Links page."
                checked={dynamic}
                onChange={(event) => setDynamic(event.currentTarget.checked)}
              />
            )}
            <StylePanel value={style} onChange={setStyle} />
            {startError && (
              <Alert color="red" role="alert" title="The batch was not started">
                {startError}
              </Alert>
            )}
            <Button
              onClick={() => void start()}
              loading={starting}
              disabled={nothingToMake || !!fileError}
            >
              Start the batch
            </Button>
            {nothingToMake && (
              <Text size="sm" c="dimmed">
                Choose at least one format or a label sheet.
              </Text>
            )}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
