/**
 * The styling panel: colours with a contrast warning, module and finder shapes, logo upload,
 * margin and error-correction level. Used by the generator and the batch page.
 */
import {
  Alert,
  Checkbox,
  ColorInput,
  FileInput,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { contrastRatio, parseColor } from '@qrforge/qr';
import { useMemo, useState } from 'react';
import { MAX_LOGO_BYTES, type CodeStyle } from './code-style.js';

/** Below about 4:1 between dark and light modules, phone cameras start to miss codes. */
export const MIN_CONTRAST = 4;

export function StylePanel(props: { value: CodeStyle; onChange: (style: CodeStyle) => void }) {
  const { value: style, onChange } = props;
  const [logoError, setLogoError] = useState<string>();
  const contrast = useMemo(() => {
    try {
      return contrastRatio(parseColor(style.dark), parseColor(style.light));
    } catch {
      return undefined;
    }
  }, [style.dark, style.light]);

  function chooseLogo(file: File | null) {
    setLogoError(undefined);
    if (!file) return onChange({ ...style, logo: undefined });
    if (file.size > MAX_LOGO_BYTES)
      return setLogoError(`The logo is ${Math.round(file.size / 1024)} KiB; at most 512 KiB`);
    const reader = new FileReader();
    reader.onload = () => onChange({ ...style, logo: reader.result as string });
    reader.onerror = () => setLogoError('The file could not be read');
    reader.readAsDataURL(file);
  }

  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        Style
      </Title>
      <Group grow>
        <ColorInput
          label="Dark colour"
          withEyeDropper={false}
          value={style.dark}
          onChange={(dark) => onChange({ ...style, dark })}
        />
        <ColorInput
          label="Light colour"
          withEyeDropper={false}
          value={style.light}
          onChange={(light) => onChange({ ...style, light })}
        />
      </Group>
      {contrast !== undefined && contrast < MIN_CONTRAST && (
        <Alert color="yellow" title="Low contrast">
          Contrast {contrast.toFixed(1)}:1 — scanners need about {MIN_CONTRAST}:1 or more.
        </Alert>
      )}
      <Text size="sm" fw={500}>
        Modules
      </Text>
      <SegmentedControl
        aria-label="Module shape"
        data={['square', 'rounded', 'dot']}
        value={style.moduleShape}
        onChange={(value) => onChange({ ...style, moduleShape: value })}
      />
      <Text size="sm" fw={500}>
        Finder patterns
      </Text>
      <SegmentedControl
        aria-label="Finder shape"
        data={['square', 'rounded', 'dot']}
        value={style.finderShape}
        onChange={(value) => onChange({ ...style, finderShape: value })}
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
          onChange={(margin) => onChange({ ...style, margin: Number(margin) || 0 })}
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
          onChange={(ecc) => ecc && onChange({ ...style, ecc: ecc })}
          allowDeselect={false}
        />
      </Group>
      <Checkbox
        label="Leave out the UTF-8 marker (ECI) for old readers"
        description="By default, text with accents or other scripts is marked as UTF-8, so every reader shows it exactly."
        checked={style.eci === false}
        onChange={(event) =>
          onChange({ ...style, eci: event.currentTarget.checked ? false : undefined })
        }
      />
    </Stack>
  );
}
