/**
 * New folder, rename and delete without JavaScript: `POST /ops/<drive>/<folder…>/` with the form field
 * op=mkdir|rename|delete, `name` (the new name), `item` or repeated `items` (names in the folder) and `_csrf`.
 * Success answers 303 back to the folder with a flash message; a refused request re-renders a small form page
 * with the message and the user's input, at the error's status. Delete first shows what will go and asks
 * (confirm=1 does it). Work goes through the file service only (DriveFiles), one audit line per mutation.
 */
import { translatorOf, userMessageOf } from '../i18n/middleware.js';
import type { Translator } from '../../i18n/index.js';
import { Router } from 'express';
import type { Config } from '../../config/index.js';
import { parseDrivePath } from '../../drives/index.js';
import { AppError, BadRequestError, said } from '../../errors/index.js';
import { nameProblemOf, OpError, opErrorOf, type DriveFiles, type FileService } from '../../files/index.js';
import { audit, type Logger } from '../../log.js';
import { requireUser } from '../auth/current-user.js';
import { breadcrumbs, folderHref } from '../browse/listing.js';
import { driveTargetOf, filesOf } from '../drive-target.js';

type Op = 'mkdir' | 'rename' | 'delete';
const OPS: readonly Op[] = ['mkdir', 'rename', 'delete'];
/** What a no-JS delete may name at once (a page of checkboxes; the JSON API takes more). */
const MAX_ITEMS = 1000;

interface Fields {
  op: Op;
  name: string;
  items: string[];
}

function fieldsOf(body: unknown): Fields {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const op = OPS.find((o) => o === b.op);
  if (!op) throw new BadRequestError(...said('errors.form.chooseOp'));
  const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const items = [...new Set([...list(b.item), ...list(b.items)])];
  return { op, name: typeof b.name === 'string' ? b.name.trim() : '', items };
}

/** A name of an entry in the folder, checked with the same rules as a path segment of the URL. */
function itemName(n: string): string {
  const parsed = parseDrivePath(encodeURIComponent(n));
  if (parsed.length !== 1 || parsed[0] !== n) throw new BadRequestError(...said('errors.form.badSelection'));
  return n;
}

/**
 * A failure as the JSON API words it (its code and sentence), so both ways of asking answer alike; what is not
 * about the files (sign-in over, server unavailable, sign-in method refused) stays as it is, for the error handler to sign out or report.
 */
function mutationError(err: unknown, item: string | undefined): unknown {
  if (err instanceof AppError && (err.status === 401 || err.status === 502 || err.status === 503)) return err;
  if (err instanceof Error && err.name === 'CredentialsRejectedError') return err;
  return opErrorOf(err, item);
}

/** The share gives this user no write access at all (tree-connect maximal access): the contract's 403. */
async function requireWritable(d: DriveFiles): Promise<void> {
  if (!(await d.canWrite())) throw new OpError('denied', ...said('errors.drive.readOnly'));
}

export function opsFormRoutes(config: Config, files: FileService, logger: Logger): Router {
  const router = Router();

  router.use('/ops', requireUser, (req, res, next) => {
    if (req.method !== 'POST') return next();
    const target = driveTargetOf(config, req, res);
    const { drive, segments: folder } = target;
    const back = folderHref(drive, folder);
    const fields = fieldsOf(req.body);
    const d = filesOf(files, req, drive);
    const user = req.session.user?.username;
    const at = (name: string): string => [...folder, name].join('/');
    // The same fields as the JSON API's lines (src/web/api/files-routes.ts), plus how the request came.
    const auditLine = (action: string, from: string | undefined, to: string | undefined, result: string): void =>
      audit(logger, { action, user, drive: drive.id, path: from ?? to, from, to, result, via: 'form' });
    const codeOf = (err: unknown): string => (err instanceof AppError ? err.code : 'failed');
    const tr = translatorOf(res);
    const page = (status: number, locals: Record<string, unknown>): void => {
      res.status(status).render('pages/ops-form', {
        title: fields.op === 'mkdir' ? tr.t('ops.newFolder') : fields.op === 'rename' ? tr.t('ops.rename') : tr.t('ops.delete'),
        crumbs: breadcrumbs(drive, folder),
        action: req.originalUrl.split('?')[0],
        back,
        op: fields.op,
        name: fields.name,
        items: fields.items,
        error: undefined,
        entries: [],
        ...locals,
      });
    };
    const fail = (err: unknown): void => {
      if (!(err instanceof AppError) || !err.expose || err.status === 401 || err.status === 502 || err.status === 503) return next(err);
      page(err.status, { error: userMessageOf(res, err) });
    };
    const flash = (kind: 'success' | 'danger' | 'warning', text: string, details?: string[]): void => {
      req.session.flash = { kind, text, ...(details ? { details } : {}) };
      res.redirect(303, back);
    };

    void (async () => {
      switch (fields.op) {
        case 'mkdir': {
          const problem = nameProblemOf(fields.name);
          if (problem) throw new OpError('bad-name', ...problem);
          try {
            await requireWritable(d);
            await d.mkdir([...folder, fields.name]);
          } catch (err) {
            const e = mutationError(err, fields.name);
            auditLine('mkdir', undefined, at(fields.name), codeOf(e));
            throw e;
          }
          auditLine('mkdir', undefined, at(fields.name), 'ok');
          return flash('success', tr.t('client.ops.createdFolder', { name: fields.name }));
        }
        case 'rename': {
          if (fields.items.length !== 1) throw new BadRequestError(...said('errors.form.renameOne'));
          const item = itemName(fields.items[0] ?? '');
          const problem = nameProblemOf(fields.name);
          if (problem) throw new OpError('bad-name', ...problem);
          if (fields.name === item) return flash('success', tr.t('opsForm.keepsName', { name: item }));
          try {
            await requireWritable(d);
            await d.rename([...folder, item], [...folder, fields.name]);
          } catch (err) {
            // Exists names the new name; everything else (not found, in use, denied) the item being renamed.
            const e = mutationError(err, err instanceof Error && err.name === 'SmbExistsError' ? fields.name : item);
            auditLine('rename', at(item), at(fields.name), codeOf(e));
            throw e;
          }
          auditLine('rename', at(item), at(fields.name), 'ok');
          return flash('success', tr.t('client.ops.renamed', { from: item, to: fields.name }));
        }
        case 'delete': {
          if (fields.items.length === 0) throw new BadRequestError(...said('errors.form.deleteNone'));
          if (fields.items.length > MAX_ITEMS) throw new BadRequestError(...said('errors.form.tooMany', { max: String(MAX_ITEMS) }));
          const items = fields.items.map(itemName);
          if ((req.body as Record<string, unknown>).confirm !== '1') return page(200, { entries: await describe(d, folder, items, tr) });
          try {
            await requireWritable(d);
          } catch (err) {
            auditLine('delete', items.map(at).join(', '), undefined, codeOf(err));
            throw err;
          }
          const failed: string[] = [];
          for (const item of items) {
            try {
              await d.remove([...folder, item], { recursive: true });
              auditLine('delete', at(item), undefined, 'ok');
            } catch (err) {
              const e = mutationError(err, item);
              auditLine('delete', at(item), undefined, codeOf(e));
              if (!(e instanceof AppError)) throw e;
              failed.push(`${item}: ${userMessageOf(res, e)}`);
            }
          }
          const done = items.length - failed.length;
          const what = (n: number): string => tr.t('client.ops.items', { count: n });
          if (failed.length === 0) return flash('success', items.length === 1 ? tr.t('opsForm.deletedOne', { name: items[0] ?? '' }) : tr.t('opsForm.deleted', { items: what(done) }));
          return flash(done > 0 ? 'warning' : 'danger', tr.t('opsForm.deletedSome', { items: what(done), failed: what(failed.length) }), failed);
        }
      }
    })().catch(fail);
  });

  return router;
}

/** What a delete would take: each item with "folder" or its size (best effort; the delete itself decides). */
async function describe(d: DriveFiles, folder: string[], items: string[], tr: Translator): Promise<{ name: string; what: string }[]> {
  const out: { name: string; what: string }[] = [];
  for (const name of items) {
    try {
      const st = await d.stat([...folder, name]);
      out.push({ name, what: st.type === 'dir' ? tr.t('opsForm.folderAndContents') : tr.bytes(Number(st.size)) });
    } catch {
      out.push({ name, what: '' });
    }
  }
  return out;
}
