/**
 * The generator: pick a payload type, fill its form (validated as you type by the engine's own
 * builders), style the code, and see it redrawn at once — rendered here with @qrforge/qr, no
 * round trip. Downloads ask the API for PNG, SVG or PDF.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  ColorInput,
  FileInput,
  Grid,
  Group,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { contrastRatio, parseColor, QrArgumentError, QrCapacityError } from '@qrforge/qr';
import { buildPayload } from '@qrforge/qr/payloads';
import { createStyledSvg, type FinderShape, type ModuleShape } from '@qrforge/qr/style';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import { problemText, useSession } from '../session.js';
import { decodePreview } from './decode-check.js';
import { PAYLOAD_FORMS, toPayload, type Field, type PayloadType } from './payload-forms.js';

type Ecc = 'L' | 'M' | 'Q' | 'H';
interface Style {
  dark: string;
  light: string;
  moduleShape: ModuleShape;
  finderShape: FinderShape;
  margin: number;
  ecc: Ecc;
  /** The logo as a data: URI (read in the browser, never uploaded elsewhere). */
  logo?: string;
}

/** The server takes logos up to about 512 KiB. */
const MAX_LOGO_BYTES = 512 * 1024;
const LOGO_SIZE = 0.2;

const DEFAULT_STYLE: Style = {
  dark: '#000000',
  light: '#ffffff',
  moduleShape: 'square',
  finderShape: 'square',
  margin: 4,
  ecc: 'M',
};

/** "Expected a non-empty string" from the engine's "Invalid ssid=''. Expected a non-empty string". */
const reason = (error: QrArgumentError) => error.message.split('. Expected ')[1] ?? error.message;

export function GeneratorPage() {
  const [type, setType] = useState<PayloadType>('url');
  const [values, setValues] = useState<Record<string, string>>({ encryption: 'WPA' });
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [style, setStyle] = useState<Style>(DEFAULT_STYLE);
  const [downloadError, setDownloadError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const session = useSession();

  const preview = useMemo(() => {
    try {
      const text = buildPayload(toPayload(type, values));
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
  }, [type, values, style]);

  // Whether the preview, as styled, still scans (decoded in the browser, after typing settles).
  const [scan, setScan] = useState<'checking' | 'reads' | 'fails'>('checking');
  useEffect(() => {
    if (!('src' in preview)) return;
    const { src, text } = preview as { src: string; text: string };
    let current = true;
    setScan('checking');
    const timer = setTimeout(() => {
      decodePreview(src).then(
        (texts) => current && setScan(texts.includes(text) ? 'reads' : 'fails'),
        () => current && setScan('fails'),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [preview]);

  const contrast = useMemo(() => {
    try {
      return contrastRatio(parseColor(style.dark), parseColor(style.light));
    } catch {
      return undefined;
    }
  }, [style.dark, style.light]);

  const [logoError, setLogoError] = useState<string>();
  function chooseLogo(file: File | null) {
    setLogoError(undefined);
    if (!file) return setStyle((current) => ({ ...current, logo: undefined }));
    if (file.size > MAX_LOGO_BYTES)
      return setLogoError(`The logo is ${Math.round(file.size / 1024)} KiB; at most 512 KiB`);
    const reader = new FileReader();
    reader.onload = () => setStyle((current) => ({ ...current, logo: reader.result as string }));
    reader.onerror = () => setLogoError('The file could not be read');
    reader.readAsDataURL(file);
  }
  /** The style as the API takes it. */
  const apiStyle = () => {
    const { logo, ...basic } = style;
    return { ...basic, ...(logo ? { logo: { image: logo, size: LOGO_SIZE } } : {}) };
  };

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
        body: { payload: toPayload(type, values), format, ...apiStyle() } as never,
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

  /** Keeps the code (PNG) in object storage and the tenant's history. */
  async function saveToHistory() {
    setBusy('save');
    setDownloadError(undefined);
    setSaved(undefined);
    const { data, error } = await api.POST('/api/v1/codes', {
      body: {
        payload: toPayload(type, values),
        format: 'png',
        store: true,
        ...apiStyle(),
      } as never,
    });
    setBusy(undefined);
    if (error || !data) setDownloadError(problemText(error));
    else setSaved(`Saved to history: ${(data as { summary?: string }).summary ?? 'code'}`);
  }

  return (
    <Stack gap="md">
      <Title order={2}>Generate a code</Title>
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
              </Stack>
            </Card>
            <Card withBorder>
              <Stack gap="sm">
                <Title order={3} size="h4">
                  Style
                </Title>
                <Group grow>
                  <ColorInput
                    label="Dark colour"
                    withEyeDropper={false}
                    value={style.dark}
                    onChange={(dark) => setStyle({ ...style, dark })}
                  />
                  <ColorInput
                    label="Light colour"
                    withEyeDropper={false}
                    value={style.light}
                    onChange={(light) => setStyle({ ...style, light })}
                  />
                </Group>
                {contrast !== undefined && contrast < 4 && (
                  <Alert color="yellow" title="Low contrast">
                    Contrast {contrast.toFixed(1)}:1 — scanners need about 4:1 or more.
                  </Alert>
                )}
                <Text size="sm" fw={500}>
                  Modules
                </Text>
                <SegmentedControl
                  aria-label="Module shape"
                  data={['square', 'rounded', 'dot']}
                  value={style.moduleShape}
                  onChange={(value) => setStyle({ ...style, moduleShape: value })}
                />
                <Text size="sm" fw={500}>
                  Finder patterns
                </Text>
                <SegmentedControl
                  aria-label="Finder shape"
                  data={['square', 'rounded', 'dot']}
                  value={style.finderShape}
                  onChange={(value) => setStyle({ ...style, finderShape: value })}
                />
                <FileInput
                  label="Logo"
                  description="PNG, JPEG, WebP or SVG, at most 512 KiB; the code switches to level H to carry it"
                  accept="image/png,image/jpeg,image/webp,image/svg+xml"
                  clearable
                  error={logoError}
                  onChange={chooseLogo}
                />
                <Group grow>
                  <NumberInput
                    label="Margin (modules)"
                    min={0}
                    max={20}
                    value={style.margin}
                    onChange={(margin) => setStyle({ ...style, margin: Number(margin) || 0 })}
                  />
                  <Select
                    label="Error correction"
                    data={[
                      { value: 'L', label: 'L (7 %)' },
                      { value: 'M', label: 'M (15 %)' },
                      { value: 'Q', label: 'Q (25 %)' },
                      { value: 'H', label: 'H (30 %)' },
                    ]}
                    value={style.ecc}
                    onChange={(ecc) => ecc && setStyle({ ...style, ecc: ecc })}
                    allowDeselect={false}
                  />
                </Group>
              </Stack>
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
              {session.me && (
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
