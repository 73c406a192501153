import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { toApiError } from '../api/client';
import { getAccessToken } from '../api/session';
import { useI18n } from '../i18n/i18n';
import { Field } from './Field';

type State =
  | { kind: 'idle' }
  | { kind: 'uploading'; name: string; percent: number }
  | { kind: 'done'; name: string }
  | { kind: 'error'; message: string };

/** What the uploader needs from the network; XMLHttpRequest in the browser (fetch reports no upload progress). */
export type Send = (url: string, form: FormData, onProgress: (percent: number) => void) => Promise<{ status: number; body: unknown }>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const xhrSend: Send = (url, form, onProgress) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    const token = getAccessToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      resolve({ status: xhr.status, body: parseJson(xhr.responseText) });
    };
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(form);
  });

interface Props {
  url: string;
  onUploaded: () => void;
  send?: Send;
}

/** Evidence upload by drag and drop or file picker, with a progress bar and the API's reason on 413/415. */
export function Uploader({ url, onUploaded, send = xhrSend }: Props): ReactNode {
  const { t } = useI18n();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const [description, setDescription] = useState('');
  const input = useRef<HTMLInputElement>(null);

  const upload = async (file: File): Promise<void> => {
    const form = new FormData();
    if (description.trim()) form.append('description', description.trim());
    form.append('file', file, file.name);
    setState({ kind: 'uploading', name: file.name, percent: 0 });
    try {
      const res = await send(url, form, (percent) => setState({ kind: 'uploading', name: file.name, percent }));
      if (res.status >= 200 && res.status < 300) {
        setState({ kind: 'done', name: file.name });
        setDescription('');
        onUploaded();
        return;
      }
      const error = toApiError(res.status, res.body);
      const key = res.status === 413 ? 'upload.tooLarge' : res.status === 415 ? 'upload.unsupported' : 'upload.failed';
      setState({ kind: 'error', message: t(key, { message: error.message }) });
    } catch (error) {
      setState({ kind: 'error', message: t('upload.failed', { message: error instanceof Error ? error.message : String(error) }) });
    }
  };
  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void upload(file);
  };

  return (
    <section className="uploader" aria-labelledby="upload-title">
      <h3 id="upload-title">{t('upload.title')}</h3>
      <Field label={t('upload.description')}>
        {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />}
      </Field>
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{t('upload.drop')}</p>
        <button type="button" onClick={() => input.current?.click()} disabled={state.kind === 'uploading'}>
          {t('upload.choose')}
        </button>
        <input
          ref={input}
          type="file"
          hidden
          aria-label={t('upload.choose')}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void upload(file);
          }}
        />
      </div>
      <div aria-live="polite">
        {state.kind === 'uploading' ? (
          <>
            <label htmlFor="upload-progress">{t('upload.progress', { name: state.name, percent: state.percent })}</label>
            <progress id="upload-progress" max={100} value={state.percent} />
          </>
        ) : null}
        {state.kind === 'done' ? <p className="ok">{t('upload.done', { name: state.name })}</p> : null}
      </div>
      {state.kind === 'error' ? (
        <p role="alert" className="error">
          {state.message}
        </p>
      ) : null}
    </section>
  );
}
