import { execFile } from 'node:child_process';
import fs from 'node:fs';

/**
 * Tools nobody here wrote, used to check what the exports produce: Info-ZIP's unzip, libarchive's
 * bsdtar, poppler's pdftotext/pdfinfo, and Debian's Python with zipfile, csv, openpyxl and
 * icalendar (.ci/run installs them when missing).
 */
export function run(cmd: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')} failed: ${error.message}\n${stderr}\n${stdout.slice(0, 4000)}`));
      else resolve({ stdout, stderr });
    });
    // Always close stdin: a tool that reads it must see its end, never wait. A tool that exits
    // without reading it closes the pipe first (EPIPE): not an error of the tool.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/**
 * The Python that has Debian's python3-openpyxl and python3-icalendar: the system one, even when a
 * pyenv shim comes first on PATH.
 */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs a Python script (given as text) with args and optional stdin; answers its stdout. */
export async function python(script: string, args: string[] = [], input?: string): Promise<string> {
  return (await run(PYTHON, ['-c', script, ...args], input)).stdout;
}

/**
 * Checks an archive with all three tools: unzip -t reads every entry and checks its CRC, Python's
 * zipfile too (or, with `pythonReads: false`, only opens the archive and lists it: for the
 * multi-GiB test, where reading it a second time would double the test's time), bsdtar lists it.
 * Answers the entry names bsdtar lists.
 */
export async function checkZip(file: string, { pythonReads = true }: { pythonReads?: boolean } = {}): Promise<string[]> {
  const unzip = await run('unzip', ['-tqq', file]);
  if (unzip.stdout.trim() !== '' && !/No errors detected/.test(unzip.stdout)) throw new Error(`unzip -t: ${unzip.stdout}`);
  if (pythonReads) {
    const py = await run(PYTHON, ['-m', 'zipfile', '-t', file]);
    if (!/Done testing/.test(py.stdout)) throw new Error(`python zipfile -t: ${py.stdout}`);
  } else await run(PYTHON, ['-m', 'zipfile', '-l', file]);
  const listed = await run('bsdtar', ['-tf', file]);
  return listed.stdout.split('\n').filter((l) => l !== '');
}
