import { act, fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider } from '../i18n/i18n';
import { Uploader, type Send } from './Uploader';

interface Call {
  url: string;
  form: FormData;
  progress: (percent: number) => void;
  settle: (res: { status: number; body: unknown }) => void;
}

/** A network stand-in the test steps through: progress events, then the server's answer. */
function controlledSend(): { send: Send; calls: Call[] } {
  const calls: Call[] = [];
  const send: Send = (url, form, progress) => new Promise((settle) => calls.push({ url, form, progress, settle }));
  return { send, calls };
}

const pdf = (): File => new File(['%PDF-1.4\n%%EOF\n'], 'restore-test.pdf', { type: 'application/pdf' });

function drop(file: File): void {
  fireEvent.drop(screen.getByTestId('dropzone'), { dataTransfer: { files: [file] } });
}

describe('Uploader', () => {
  it('uploads a dropped file with its description, shows progress, then tells the page', async () => {
    const { send, calls } = controlledSend();
    const onUploaded = jest.fn();
    render(
      <I18nProvider locale="en">
        <Uploader url="/api/v1/tenants/t/tasks/k/evidence" onUploaded={onUploaded} send={send} />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('Description (optional)'), { target: { value: 'May restore test' } });
    drop(pdf());
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe('/api/v1/tenants/t/tasks/k/evidence');
    expect(call.form.get('description')).toBe('May restore test');
    expect((call.form.get('file') as File).name).toBe('restore-test.pdf');

    act(() => call.progress(40));
    const bar = screen.getByRole<HTMLProgressElement>('progressbar');
    expect(bar.value).toBe(40);
    expect(screen.getByText('Uploading restore-test.pdf: 40 %')).toBeTruthy();

    await act(async () => {
      call.settle({ status: 201, body: { id: 'e-1' } });
      await Promise.resolve();
    });
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByText('restore-test.pdf uploaded.')).toBeTruthy();
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });

  it.each([
    [413, 'This file is too large: Files are limited to 10 MiB.'],
    [415, 'This type of file is not accepted: Only PDF, images and office documents.'],
    [500, 'The upload failed: Internal error.'],
  ])('shows the API message of a %i and does not report success', async (status, shown) => {
    const { send, calls } = controlledSend();
    const onUploaded = jest.fn();
    render(
      <I18nProvider locale="en">
        <Uploader url="/u" onUploaded={onUploaded} send={send} />
      </I18nProvider>,
    );
    drop(pdf());
    const message = shown.slice(shown.indexOf(': ') + 2);
    await act(async () => {
      calls[0]!.settle({ status, body: { statusCode: status, code: 'X', message, requestId: 'r' } });
      await Promise.resolve();
    });
    expect(screen.getByRole('alert').textContent).toBe(shown);
    expect(onUploaded).not.toHaveBeenCalled();
  });

  it('uploads a file chosen with the keyboard-reachable picker', () => {
    const { send, calls } = controlledSend();
    render(
      <I18nProvider locale="en">
        <Uploader url="/u" onUploaded={jest.fn()} send={send} />
      </I18nProvider>,
    );
    expect(screen.getByRole('button', { name: 'Choose a file' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Choose a file', { selector: 'input' }), { target: { files: [pdf()] } });
    expect(calls).toHaveLength(1);
  });
});
