/**
 * The printable code of a dynamic code: drawn here from its short address (the same engine as the
 * server), with PNG, SVG and PDF downloads rendered by the API.
 */
import { Alert, Button, Group, Stack } from '@mantine/core';
import { createStyledSvg } from '@qrforge/qr/style';
import { useMutation } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.js';
import { saveBlob } from '../api/download.js';
import { problemText } from '../session.js';

export function CodeImage({ url, fileName }: { url: string; fileName: string }) {
  const src = useMemo(
    () =>
      `data:image/svg+xml;charset=utf-8,${encodeURIComponent(createStyledSvg(url, { size: 200 }))}`,
    [url],
  );
  const download = useMutation({
    mutationFn: async (format: 'png' | 'svg' | 'pdf') => {
      const { data, error } = await api.POST('/api/v1/codes', {
        body: { data: url, format, size: 1024 },
        parseAs: 'blob',
      });
      if (!data) throw new Error(problemText(error));
      saveBlob(data, `${fileName}.${format}`);
    },
  });
  return (
    <Stack gap="xs" align="center">
      <img
        src={src}
        alt={`QR code for ${url}`}
        width={160}
        height={160}
        data-testid="dynamic-code-image"
        data-content={url}
      />
      <Group gap="xs">
        {(['png', 'svg', 'pdf'] as const).map((format) => (
          <Button
            key={format}
            size="compact-sm"
            variant="default"
            onClick={() => download.mutate(format)}
            loading={download.isPending && download.variables === format}
          >
            {format.toUpperCase()}
          </Button>
        ))}
      </Group>
      {download.error && <Alert color="red">{download.error.message}</Alert>}
    </Stack>
  );
}
