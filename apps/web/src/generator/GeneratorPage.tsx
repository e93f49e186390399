/**
 * The generator: pick a payload type, fill its form (validated as you type by the engine's own
 * builders), style the code, and see it redrawn at once — rendered here with @qrforge/qr, no
 * round trip. Downloads ask the API for PNG, SVG or PDF.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { QrArgumentError, QrCapacityError } from '@qrforge/qr';
import { buildPayload } from '@qrforge/qr/payloads';
import { createStyledSvg } from '@qrforge/qr/style';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { isOn, useFeatures } from '../features.js';
import { problemText, roleIn, useSession } from '../session.js';
import { DEFAULT_STYLE, LOGO_SIZE, toApiStyle, type CodeStyle } from '../style/code-style.js';
import { StylePanel } from '../style/StylePanel.js';
import { PAYLOAD_FORMS, toPayload, type Field, type PayloadType } from './payload-forms.js';

/** "Expected a non-empty string" from the engine's "Invalid ssid=''. Expected a non-empty string". */
const reason = (error: QrArgumentError) => error.message.split('. Expected ')[1] ?? error.message;

export function GeneratorPage() {
  const [type, setType] = useState<PayloadType>('url');
  const [values, setValues] = useState<Record<string, string>>({ encryption: 'WPA' });
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [style, setStyle] = useState<CodeStyle>(DEFAULT_STYLE);
  const [downloadError, setDownloadError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const session = useSession();
  const role = roleIn(session);
  // A dynamic code (URL content, operators): the short address it was given once made.
  const features = useFeatures();
  const canBeDynamic =
    type === 'url' && !!role && role !== 'viewer' && isOn(features, 'dynamic-codes');
  const [dynamic, setDynamic] = useState(false);
  const [made, setMade] = useState<{ id: string; url: string; target: string }>();
  useEffect(() => setMade(undefined), [type, values, dynamic]);

  const preview = useMemo(() => {
    try {
      const text = made?.url ?? buildPayload(toPayload(type, values));
      const { logo, ...basic } = style;
      const svg = createStyledSvg(text, {
        ...basic,
        size: 320,
        ...(logo ? { logo: { href: logo, size: LOGO_SIZE } } : {}),
      });
      return { text, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
    } catch (error) {
      if (error instanceof QrArgumentError)
        return { field: error.argument.split('.').pop()!, message: reason(error) };
      if (error instanceof QrCapacityError)
        return { message: 'Too much data for one code at this error-correction level' };
      return { message: error instanceof Error ? error.message : String(error) };
    }
  }, [type, values, style, made]);

  // Whether the preview, as styled, still scans (decoded in the browser, after typing settles).
  const [scan, setScan] = useState<'checking' | 'reads' | 'fails'>('checking');
  useEffect(() => {
    if (!('src' in preview)) return;
    const { src, text } = preview as { src: string; text: string };
    let current = true;
    setScan('checking');
    const timer = setTimeout(() => {
      // The decoder (ZXing-C++ in WebAssembly) loads with the first check, not with the page.
      import('./decode-check.js')
        .then(({ decodePreview }) => decodePreview(src))
        .then(
          (texts) => current && setScan(texts.includes(text) ? 'reads' : 'fails'),
          () => current && setScan('fails'),
        );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [preview]);

  const setValue = (name: string, value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setTouched((current) => new Set(current).add(name));
  };
  const fieldError = (field: Field) =>
    'field' in preview && preview.field === field.name && touched.has(field.name)
      ? preview.message
      : undefined;

  async function download(format: 'png' | 'svg' | 'pdf') {
    setBusy(format);
    setDownloadError(undefined);
    try {
      const { data, error, response } = await api.POST('/api/v1/codes', {
        body: { ...content(), format, ...toApiStyle(style) } as never,
        parseAs: 'blob',
      });
      if (error || !data)
        throw new Error(
          (error as { detail?: string } | undefined)?.detail ??
            `The server answered ${response.status}`,
        );
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = `qr-${type}.${format}`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setDownloadError(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(undefined);
    }
  }

  /** What the code holds: the form's payload, or the short address of the dynamic code made. */
  const content = () => (made ? { data: made.url } : { payload: toPayload(type, values) });

  /** Makes a dynamic code leading to the URL; the preview and downloads then hold its address. */
  async function makeDynamic() {
    setBusy('dynamic');
    setDownloadError(undefined);
    setSaved(undefined);
    const { data, error } = await api.POST('/api/v1/codes', {
      body: {
        payload: toPayload(type, values),
        format: 'png',
        store: true,
        dynamic: true,
        ...toApiStyle(style),
      } as never,
    });
    setBusy(undefined);
    const code = (data as { dynamicCode?: { id: string; url: string; target: string } })
      ?.dynamicCode;
    if (error || !code) setDownloadError(problemText(error));
    else setMade(code);
  }

  /** Keeps the code (PNG) in object storage and the tenant's history. */
  async function saveToHistory() {
    setBusy('save');
    setDownloadError(undefined);
    setSaved(undefined);
    const { data, error } = await api.POST('/api/v1/codes', {
      body: { ...content(), format: 'png', store: true, ...toApiStyle(style) } as never,
    });
    setBusy(undefined);
    if (error || !data) setDownloadError(problemText(error));
    else setSaved(`Saved to history: ${(data as { summary?: string }).summary ?? 'code'}`);
  }

  return (
    <Stack gap="md">
      <Title order={2}>Generate a code</Title>
      {!session.me && (
        <Text c="dimmed">
          No account needed here.{' '}
          {/* Underlined: a link inside text must not rely on colour alone (axe). */}
          <Anchor component={Link} to="/sign-in" underline="always">
            Sign in
          </Anchor>{' '}
          to save codes to a history and make many at once from a CSV or TXT file.
        </Text>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Card withBorder>
              <Stack gap="sm">
                <Select
                  label="Content"
                  data={Object.entries(PAYLOAD_FORMS).map(([value, form]) => ({
                    value,
                    label: form.label,
                  }))}
                  value={type}
                  onChange={(value) => {
                    if (!value) return;
                    setType(value);
                    setTouched(new Set());
                  }}
                  allowDeselect={false}
                />
                {PAYLOAD_FORMS[type].fields.map((field) => (
                  <FieldInput
                    key={`${type}.${field.name}`}
                    field={field}
                    value={values[field.name] ?? ''}
                    error={fieldError(field)}
                    onChange={(value) => setValue(field.name, value)}
                  />
                ))}
                {canBeDynamic && (
                  <Switch
                    label="Dynamic: print a short address of ours, and change where it leads later"
                    checked={dynamic}
                    onChange={(e) => setDynamic(e.currentTarget.checked)}
                  />
                )}
              </Stack>
            </Card>
            <Card withBorder>
              <StylePanel value={style} onChange={setStyle} />
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Stack align="center" gap="sm">
              {'src' in preview ? (
                <img
                  src={preview.src}
                  alt={`QR code for ${preview.text}`}
                  width={280}
                  height={280}
                  data-testid="preview"
                  data-content={preview.text}
                />
              ) : (
                <Text c="dimmed" ta="center" role="status">
                  {!('field' in preview) ||
                  !PAYLOAD_FORMS[type].fields.some((f) => f.name === preview.field)
                    ? preview.message
                    : touched.size === 0
                      ? 'Fill in the form to see the code'
                      : 'Correct the form to see the code'}
                </Text>
              )}
              {'src' in preview && (
                <Badge
                  data-testid="scan-check"
                  // Dark fills: white text on them meets WCAG AA (axe measured Mantine's green.9 at 4.36:1).
                  color={scan === 'reads' ? '#1e6b2e' : scan === 'fails' ? 'red.9' : 'gray.7'}
                  variant="filled"
                  size="lg"
                >
                  {scan === 'reads'
                    ? 'Scans: checked by a decoder'
                    : scan === 'fails'
                      ? 'Does not scan: change the style'
                      : 'Checking that it scans…'}
                </Badge>
              )}
              {made && (
                <Alert color="green" role="status" title="Dynamic code made">
                  <Text size="sm" data-testid="dynamic-url">
                    {made.url}
                  </Text>
                  <Text size="sm">
                    leads to {made.target}. Change where it leads on the{' '}
                    <Anchor component={Link} to="/links" underline="always">
                      Links page
                    </Anchor>
                    .
                  </Text>
                </Alert>
              )}
              {canBeDynamic && dynamic && !made ? (
                <Button
                  onClick={() => void makeDynamic()}
                  disabled={!('src' in preview)}
                  loading={busy === 'dynamic'}
                >
                  Make dynamic code
                </Button>
              ) : (
                <Group>
                  {(['png', 'svg', 'pdf'] as const).map((format) => (
                    <Button
                      key={format}
                      onClick={() => void download(format)}
                      disabled={!('src' in preview)}
                      loading={busy === format}
                    >
                      Download {format.toUpperCase()}
                    </Button>
                  ))}
                </Group>
              )}
              {session.me && !(canBeDynamic && dynamic) && (
                <Button
                  variant="light"
                  onClick={() => void saveToHistory()}
                  disabled={!('src' in preview)}
                  loading={busy === 'save'}
                >
                  Save to history
                </Button>
              )}
              {saved && (
                <Alert color="green" role="status">
                  {saved}
                </Alert>
              )}
              {downloadError && (
                <Alert color="red" title="Download failed" role="alert">
                  {downloadError}
                </Alert>
              )}
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function FieldInput(props: {
  field: Field;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { field, value, error, onChange } = props;
  const common = {
    label: field.label,
    required: field.required,
    error,
    placeholder: field.placeholder,
  };
  switch (field.kind) {
    case 'textarea':
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'password':
      return (
        <PasswordInput
          {...common}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return <NumberInput {...common} value={value} onChange={(v) => onChange(String(v))} />;
    case 'select':
      return (
        <Select
          {...common}
          data={field.options ?? []}
          value={value || field.options?.[0]?.value}
          onChange={(v) => onChange(v ?? '')}
          allowDeselect={false}
        />
      );
    default:
      return (
        <TextInput {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)} />
      );
  }
}
