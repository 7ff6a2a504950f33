// <status-badge>: polls `/status` and says whether the API and the database are up.

import { h } from '../dom';
import { CHECKING, readStatus, type StatusReading } from '../status';

/** Poll slowly while all is well, quickly while something is down, so recovery shows soon. */
export const POLL_UP_MS = 5000;
export const POLL_DOWN_MS = 2000;

export class StatusBadge extends HTMLElement {
  fetchImpl: typeof fetch = (input, init) => fetch(input, init);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private reading: StatusReading = CHECKING;
  private readonly label = h('span', { class: 'status-label' });
  private readonly detail = h('span', { class: 'visually-hidden' });

  private readonly onVisible = (): void => {
    if (document.visibilityState === 'visible') void this.check();
  };

  connectedCallback(): void {
    this.setAttribute('role', 'status');
    this.replaceChildren(
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      this.label,
      this.detail,
    );
    this.show(this.reading);
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisible);
    void this.check();
  }

  disconnectedCallback(): void {
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisible);
    if (this.timer !== null) clearTimeout(this.timer);
  }

  /** Checks now (also called when the live stream drops, which often means the API went away). */
  async check(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const reading = await readStatus(this.fetchImpl);
    if (!this.running) return;
    this.show(reading);
    // A hidden tab stops polling; becoming visible checks at once (onVisible).
    if (document.visibilityState === 'hidden') return;
    this.timer = setTimeout(
      () => void this.check(),
      reading.health === 'up' ? POLL_UP_MS : POLL_DOWN_MS,
    );
  }

  private show(reading: StatusReading): void {
    this.reading = reading;
    this.dataset['health'] = reading.health;
    this.title = reading.detail;
    this.label.textContent = reading.label;
    this.detail.textContent = ` — ${reading.detail}`;
  }
}

customElements.define('status-badge', StatusBadge);
