// The slides of the demo talk. The stage document holds only the index of the one shown.

/** One slide. */
export interface Slide {
  title: string;
  points: string[];
}

export const DECK: Slide[] = [
  { title: 'Real-time apps on Switchboard', points: ['One hub, one contract', 'Documents, presence, signalling, webhooks'] },
  { title: 'Session state', points: ['The slide is a shared document', 'Late joiners get it whole, at once'] },
  { title: 'Q&A that never races', points: ['A vote is a commutative inc', 'Optimistic on screen, rolled back when refused'] },
  { title: 'Who is here', points: ['Presence with names', 'A dropped Wi-Fi is not a leave'] },
  { title: 'Face to face', points: ['WebRTC offer, answer and ICE through the hub', 'A failed connection is tried again'] },
  { title: 'Money and mail', points: ['Payments in: a signed Stripe webhook', 'Notifications out: a signed webhook'] },
];
