// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItemsApi, type Item } from '../api';
import { ItemEditor } from './item-editor';
import { ItemList } from './item-list';
import './item-row';
import { StatusBadge } from './status-badge';
import { respond, scripted } from '../test-support';

function item(id: number, name = `Item ${id}`, version = 0): Item {
  return {
    id,
    name,
    description: `About ${name}`,
    version,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    createdBy: null,
    updatedBy: null,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe('<item-editor>', () => {
  function mount(fetchImpl: typeof fetch, editing?: Item): ItemEditor {
    const editor = new ItemEditor();
    editor.api = new ItemsApi(fetchImpl);
    if (editing) editor.item = editing;
    document.body.append(editor);
    return editor;
  }

  it("shows the problem's field errors next to the fields and focuses the first", async () => {
    const fetchImpl = scripted(
      respond(
        {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          errors: [{ field: 'name', message: 'must not be blank' }],
        },
        400,
      ),
    );
    const editor = mount(fetchImpl);
    editor.querySelector('form')!.requestSubmit();
    await settle();
    const name = editor.querySelector<HTMLInputElement>('input[name=name]')!;
    const error = document.getElementById(name.getAttribute('aria-describedby')!)!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe('Must not be blank');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(name);
  });

  it('creates an item, announces it and clears the form', async () => {
    const created = item(9, 'Chair');
    const fetchImpl = scripted(respond(created, 201));
    const editor = mount(fetchImpl);
    const saved = vi.fn();
    const announced = vi.fn();
    document.addEventListener('item-saved', saved);
    document.addEventListener('announce', announced);
    editor.querySelector<HTMLInputElement>('input[name=name]')!.value = ' Chair ';
    editor.querySelector('form')!.requestSubmit();
    await settle();
    expect(JSON.parse(fetchImpl.mock.calls[0]![1]!.body as string)).toEqual({
      name: 'Chair',
      description: '',
    });
    expect((saved.mock.calls[0]![0] as CustomEvent<{ item: Item }>).detail.item).toEqual(created);
    expect(
      (announced.mock.calls[0]![0] as CustomEvent<{ message: string }>).detail.message,
    ).toContain('Chair');
    expect(editor.querySelector<HTMLInputElement>('input[name=name]')!.value).toBe('');
    document.removeEventListener('item-saved', saved);
    document.removeEventListener('announce', announced);
  });

  it('sends the version it started from, and on 412 offers to reload the latest', async () => {
    const original = item(3, 'Lamp', 1);
    const latest = { ...item(3, 'Lamp (theirs)', 2) };
    const fetchImpl = scripted(
      respond({ type: 'about:blank', title: 'Precondition Failed', status: 412 }, 412),
      respond(latest, 200, { ETag: '"2"' }),
      respond({ ...latest, name: 'Mine', version: 3 }, 200, { ETag: '"3"' }),
    );
    const editor = mount(fetchImpl, original);
    editor.querySelector<HTMLInputElement>('input[name=name]')!.value = 'Mine';
    editor.querySelector('form')!.requestSubmit();
    await settle();
    expect((fetchImpl.mock.calls[0]![1]!.headers as Record<string, string>)['If-Match']).toBe(
      '"1"',
    );
    const alert = editor.querySelector<HTMLElement>('[role=alert]')!;
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toMatch(/Someone else changed this item/);

    alert.querySelector('button')!.click();
    await settle();
    expect(fetchImpl.mock.calls[1]![0]).toBe('/api/items/3');
    expect(editor.querySelector<HTMLInputElement>('input[name=name]')!.value).toBe('Lamp (theirs)');
    expect(alert.hidden).toBe(true);

    editor.querySelector<HTMLInputElement>('input[name=name]')!.value = 'Mine';
    editor.querySelector('form')!.requestSubmit();
    await settle();
    expect((fetchImpl.mock.calls[2]![1]!.headers as Record<string, string>)['If-Match']).toBe(
      '"2"',
    );
  });
});

describe('<item-list>', () => {
  function mount(fetchImpl: typeof fetch): ItemList {
    const list = new ItemList();
    list.api = new ItemsApi(fetchImpl);
    document.body.append(list);
    void list.reload();
    return list;
  }

  const names = (list: ItemList) =>
    [...list.querySelectorAll('.item-name')].map((n) => n.textContent);

  it('says when there are no items yet', async () => {
    const list = mount(scripted(respond([])));
    await settle();
    expect(list.querySelector('[role=status]')!.textContent).toMatch(/No items yet/);
  });

  it('names who last changed an item, and nobody for items from before there were users', async () => {
    const list = mount(
      scripted(respond([{ ...item(1), createdBy: 'alice', updatedBy: 'bob' }, item(2)])),
    );
    await settle();
    const authors = [...list.querySelectorAll('.item-meta')].map((m) => m.textContent);
    expect(authors[0]).toMatch(/^Updated .+ by bob$/);
    expect(authors[1]).not.toMatch(/ by /);
  });

  it('says what went wrong and retries on demand', async () => {
    const list = mount(
      scripted(
        respond({ type: 'about:blank', title: 'Bad Gateway', status: 502 }, 502),
        respond([item(1)]),
      ),
    );
    await settle();
    const status = list.querySelector('[role=status]')!;
    expect(status.textContent).toMatch(/Could not load the items.*not reachable/);
    status.querySelector('button')!.click();
    await settle();
    expect(names(list)).toEqual(['Item 1']);
  });

  it('loads more through the Link header, then hides the button', async () => {
    const fetchImpl = scripted(
      respond([item(1), item(2)], 200, { Link: '</api/items?after=2&limit=20>; rel="next"' }),
      respond([item(3)]),
    );
    const list = mount(fetchImpl);
    await settle();
    const more = list.querySelector<HTMLButtonElement>('.load-more')!;
    expect(more.hidden).toBe(false);
    more.click();
    await settle();
    expect(fetchImpl.mock.calls[1]![0]).toBe('/api/items?after=2&limit=20');
    expect(names(list)).toEqual(['Item 1', 'Item 2', 'Item 3']);
    expect(more.hidden).toBe(true);
  });

  it('debounces the search and sends it as q', async () => {
    vi.useFakeTimers();
    const fetchImpl = scripted(respond([item(1), item(2, 'Lamp')]), respond([item(2, 'Lamp')]));
    const list = mount(fetchImpl);
    await vi.advanceTimersByTimeAsync(0);
    const search = list.querySelector<HTMLInputElement>('input[type=search]')!;
    for (const value of ['l', 'la', 'lam']) {
      search.value = value;
      search.dispatchEvent(new Event('input'));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    expect(fetchImpl.mock.calls[1]![0]).toBe('/api/items?q=lam&limit=20');
    expect(names(list)).toEqual(['Lamp']);
  });

  it('applies live changes without losing an open editor', async () => {
    const list = mount(scripted(respond([item(1), item(2)])));
    await settle();
    list.querySelector<HTMLButtonElement>('[data-action=edit]')!.click();
    const input = list.querySelector<HTMLInputElement>('.editor--edit input[name=name]')!;
    input.value = 'typing…';
    list.apply({ type: 'created', item: item(3) });
    list.apply({ type: 'deleted', id: 2 });
    expect(names(list)).toEqual(['Item 3']); // row 1 shows its editor, not a name
    expect(list.querySelector<HTMLInputElement>('.editor--edit input[name=name]')).toBe(input);
    expect(input.value).toBe('typing…');
  });

  const rowOf = (list: ItemList, id: number) =>
    list.querySelector<HTMLElement>(`item-row[data-id="${id}"]`)!;
  const button = (list: ItemList, id: number, action: string) =>
    rowOf(list, id).querySelector<HTMLButtonElement>(`[data-action=${action}]`)!;

  it("keeps focus on a row's button through the minute tick, and updates how long ago", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:10Z')); // item() was updated at 00:00:00
    const list = mount(scripted(respond([item(1), item(2)])));
    await vi.advanceTimersByTimeAsync(0);
    const edit = button(list, 2, 'edit');
    const time = rowOf(list, 2).querySelector('time')!;
    expect(time.textContent).toBe('just now');
    edit.focus();
    expect(document.activeElement).toBe(edit);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(time.textContent).toBe('1 minute ago');
    expect(rowOf(list, 2).querySelector('time')).toBe(time);
    expect(document.activeElement).toBe(edit);
    expect(edit.isConnected).toBe(true);
  });

  it("keeps focus on a row's button through a live update, and shows the new version", async () => {
    const list = mount(scripted(respond([item(1), item(2)])));
    await settle();
    const del = button(list, 1, 'delete');
    del.focus();
    list.apply({
      type: 'updated',
      item: { ...item(1, 'Renamed', 1), description: null, updatedAt: '2026-01-02T00:00:00Z' },
    });
    expect(document.activeElement).toBe(del);
    expect(button(list, 1, 'delete')).toBe(del);
    expect(del.getAttribute('aria-label')).toBe('Delete Renamed');
    expect(names(list)).toEqual(['Renamed', 'Item 2']);
    const description = rowOf(list, 1).querySelector('.item-description')!;
    expect(description.textContent).toBe('No description');
    expect(description.classList.contains('item-description--empty')).toBe(true);
    expect(rowOf(list, 1).querySelector('time')!.getAttribute('datetime')).toBe(
      '2026-01-02T00:00:00Z',
    );
  });

  it('keeps existing rows, and focus in them, when live items are inserted around them', async () => {
    const list = mount(scripted(respond([item(2), item(4)])));
    await settle();
    const row4 = rowOf(list, 4);
    const edit = button(list, 4, 'edit');
    edit.focus();
    list.apply({ type: 'created', item: item(3) });
    list.apply({ type: 'created', item: item(1) });
    list.apply({ type: 'created', item: item(5) });
    expect(names(list)).toEqual(['Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5']);
    expect(rowOf(list, 4)).toBe(row4);
    expect(document.activeElement).toBe(edit);
  });

  it('keeps focus on the delete confirmation through a live rename, and asks with the new name', async () => {
    const list = mount(scripted(respond([item(1, 'Lamp')])));
    await settle();
    button(list, 1, 'delete').click();
    const confirm = button(list, 1, 'confirm-delete');
    expect(document.activeElement).toBe(confirm);
    list.apply({ type: 'updated', item: item(1, 'Desk lamp', 1) });
    expect(document.activeElement).toBe(confirm);
    expect(list.querySelector('.confirm-text')!.textContent).toMatch(/Delete “Desk lamp”\?/);
    button(list, 1, 'keep').click();
    expect(document.activeElement).toBe(button(list, 1, 'delete'));
    expect(button(list, 1, 'confirm-delete').hidden).toBe(true);
  });

  it('keeps the typing in an open editor when its item changes live, and shows the new version once closed', async () => {
    const list = mount(scripted(respond([item(1, 'Lamp')])));
    await settle();
    const edit = button(list, 1, 'edit');
    edit.click();
    const input = list.querySelector<HTMLInputElement>('.editor--edit input[name=name]')!;
    input.value = 'typing…';
    list.apply({ type: 'updated', item: item(1, 'Lamp (theirs)', 1) });
    expect(list.querySelector<HTMLInputElement>('.editor--edit input[name=name]')).toBe(input);
    expect(input.value).toBe('typing…');

    list
      .querySelector<HTMLButtonElement>('.editor--edit .form-actions button[type=button]')!
      .click(); // Cancel
    expect(list.querySelector('.editor--edit')).toBeNull();
    expect(names(list)).toEqual(['Lamp (theirs)']);
    expect(button(list, 1, 'edit')).toBe(edit);
    expect(document.activeElement).toBe(edit);
  });

  it('hides Edit and Delete when the person may not change items, and shows them again', async () => {
    const list = mount(scripted(respond([item(1, 'Lamp')])));
    await settle();
    button(list, 1, 'delete').click();
    list.canEdit = false;
    list.apply({ type: 'created', item: item(2) });
    for (const id of [1, 2]) {
      expect(button(list, id, 'edit').closest('[hidden]')).not.toBeNull();
      expect(button(list, id, 'delete').closest('[hidden]')).not.toBeNull();
    }
    // The open confirmation closed with them: a viewer cannot be left one click from deleting.
    expect(button(list, 1, 'confirm-delete').closest('[hidden]')).not.toBeNull();
    list.canEdit = true;
    expect(button(list, 2, 'edit').closest('[hidden]')).toBeNull();
    expect(button(list, 1, 'delete').closest('[hidden]')).toBeNull();
  });

  it('does not invite a viewer to add the first item', async () => {
    const list = mount(scripted(respond([])));
    list.canEdit = false;
    await settle();
    expect(list.querySelector('[role=status] span')!.textContent).toBe('No items yet.');
  });

  it('forgets its items and the search on clear(), and drops an answer still on its way', async () => {
    let answer: (response: Response) => void = () => undefined;
    const fetchImpl = vi.fn<typeof fetch>(
      () => new Promise<Response>((resolve) => (answer = resolve)),
    );
    const list = mount(fetchImpl);
    answer(respond([item(1)]));
    await settle();
    expect(names(list)).toEqual(['Item 1']);
    list.querySelector<HTMLInputElement>('input[type=search]')!.value = 'lamp';
    void list.reload();
    list.clear();
    answer(respond([item(2)]));
    await settle();
    expect(names(list)).toEqual([]);
    expect(list.querySelector<HTMLInputElement>('input[type=search]')!.value).toBe('');
  });

  it('deletes after confirmation, with If-Match', async () => {
    const fetchImpl = scripted(respond([item(1, 'Lamp', 4)]), new Response(null, { status: 204 }));
    const list = mount(fetchImpl);
    await settle();
    list.querySelector<HTMLButtonElement>('[data-action=delete]')!.click();
    expect(list.querySelector('.confirm-text')!.textContent).toMatch(/Delete “Lamp”\?/);
    list.querySelector<HTMLButtonElement>('[data-action=confirm-delete]')!.click();
    await settle();
    const [url, init] = fetchImpl.mock.calls[1]!;
    expect(url).toBe('/api/items/1');
    expect((init!.headers as Record<string, string>)['If-Match']).toBe('"4"');
    expect(names(list)).toEqual([]);
  });
});

describe('<status-badge>', () => {
  it('turns red when the API is unreachable and green when it is back', async () => {
    vi.useFakeTimers();
    const badge = new StatusBadge();
    badge.fetchImpl = scripted(
      respond({ type: 'about:blank', title: 'Bad Gateway', status: 502 }, 502),
      respond({ status: 'DOWN', components: { db: { status: 'DOWN' } } }, 503),
      respond({ status: 'UP', components: { db: { status: 'UP' } } }),
    );
    document.body.append(badge);
    await vi.advanceTimersByTimeAsync(0);
    expect(badge.dataset['health']).toBe('api-down');
    expect(badge.textContent).toContain('API down');
    await vi.advanceTimersByTimeAsync(2000);
    expect(badge.dataset['health']).toBe('db-down');
    await vi.advanceTimersByTimeAsync(2000);
    expect(badge.dataset['health']).toBe('up');
    expect(badge.getAttribute('role')).toBe('status');
    badge.remove();
  });
});
