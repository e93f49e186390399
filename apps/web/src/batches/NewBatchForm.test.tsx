// @vitest-environment jsdom
/** The batch form: a dropped file is previewed, its columns mapped, and a wrong file named. */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../test/render.js';
import { NewBatchForm } from './NewBatchForm.js';

const csv = (text: string, name = 'parts.csv') => new File([text], name, { type: 'text/csv' });

describe('new batch form', () => {
  it('previews the first rows and guesses the columns from the header', async () => {
    const user = userEvent.setup();
    renderWithProviders(<NewBatchForm onStarted={vi.fn()} />);
    await user.upload(
      screen.getByLabelText('Batch file (CSV or TXT)'),
      csv('sku,url\nA-1,https://example.com/1\nA-2,https://example.com/2\n'),
    );
    const table = await screen.findByTestId('batch-preview');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getByRole('columnheader', { name: 'url (data)' })).toBeTruthy();
    expect(screen.getByTestId('chosen-file').textContent).toMatch(/^parts\.csv · \d+ B$/);
    expect(screen.getByRole('combobox', { name: 'Data column' })).toHaveProperty('value', 'url');
    expect(screen.getByRole('combobox', { name: 'File-name column' })).toHaveProperty(
      'value',
      'sku',
    );

    // Without a header the first row is data and the columns have numbers.
    await user.click(screen.getByRole('checkbox', { name: 'The first row is a header' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    expect(within(table).getByRole('columnheader', { name: 'Column 1 (data)' })).toBeTruthy();
  });

  it('names a file it cannot use', async () => {
    const user = userEvent.setup({ applyAccept: false });
    renderWithProviders(<NewBatchForm onStarted={vi.fn()} />);
    const input = screen.getByLabelText('Batch file (CSV or TXT)');
    await user.upload(input, new File(['x'], 'photo.png', { type: 'image/png' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /Choose one \.csv or \.txt file \(photo\.png is neither\)/,
    );
    await user.upload(input, csv('data\n"unclosed\n'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/The CSV cannot be read/);
    expect(screen.queryByTestId('batch-preview')).toBeNull();
  });

  it('will not start with nothing to make', async () => {
    const user = userEvent.setup();
    renderWithProviders(<NewBatchForm onStarted={vi.fn()} />);
    await user.upload(screen.getByLabelText('Batch file (CSV or TXT)'), csv('data\nhello\n'));
    const start = await screen.findByRole('button', { name: 'Start the batch' });
    expect(start.hasAttribute('disabled')).toBe(false);
    await user.click(screen.getByRole('checkbox', { name: 'PNG' }));
    expect(start.hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Choose at least one format or a label sheet.')).toBeTruthy();
  });
});
