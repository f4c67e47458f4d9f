// WebRTC between the presenter and attendees, signalled through the hub: each peer has an ephemeral inbox channel
// (`live.{session}.rtc.{peer}`) where the others publish offers, answers, ICE candidates, `bye` and the screen-share
// events. The presenter calls; an attendee answers. A call that is not connected within ATTEMPT_MS (no answer, ICE
// failed, a signalling message lost) is torn down and tried again with a new offer, up to MAX_ATTEMPTS times.
import type { SwitchboardClient } from '@switchboard/client';
import { ATTEMPT_MS, MAX_ATTEMPTS, names, newId, PRESENTER_ID, type Me } from './model';

/** What a view shows of a call. */
export interface CallView {
  peer: string;
  name: string;
  state: 'calling' | 'connected' | 'retrying' | 'failed' | 'ended';
  attempt: number;
  /** Data channel messages, both ways. */
  messages: { from: string; text: string }[];
  /** The remote media (the presenter's camera or screen, on the attendee's side). */
  stream?: MediaStream;
}

interface Signal {
  from: string;
  call: string;
  attempt?: number;
  sdp?: string;
  candidate?: RTCIceCandidateInit;
}

interface Call {
  view: CallView;
  id: string;
  pc?: RTCPeerConnection;
  dc?: RTCDataChannel;
  /** ICE candidates that came before the remote description. */
  early: RTCIceCandidateInit[];
  timer?: ReturnType<typeof setTimeout>;
  sender?: RTCRtpSender;
}

/** The calls of one page. */
export class Calls {
  private readonly calls = new Map<string, Call>();
  private readonly n: ReturnType<typeof names>;
  private camera?: Promise<MediaStreamTrack | undefined>;
  private screen?: MediaStreamTrack;
  private screenShared = false;

  constructor(
    private readonly client: SwitchboardClient,
    session: string,
    private readonly me: Me,
    private readonly changed: (calls: CallView[], screenShared: boolean) => void,
  ) {
    this.n = names(session);
  }

  private get myId(): string {
    return this.me.role === 'presenter' ? PRESENTER_ID : this.me.id;
  }

  /** Listens on this page's inbox. */
  async start(): Promise<void> {
    await this.client.subscribe<Signal>(this.n.inbox(this.myId), { from: 'latest', ack: 'auto', onMessage: (m) => this.onSignal(m.type, m.data) });
  }

  private emit(): void {
    this.changed(
      [...this.calls.values()].map((c) => ({ ...c.view })),
      this.screenShared,
    );
  }

  private send(to: string, type: string, data: Signal): void {
    this.client.publish(this.n.inbox(to), type, data).catch(() => {
      /* a lost signal is what the retry is for */
    });
  }

  // --- the presenter's side ---

  /** Calls attendee `peer` (the presenter's camera and a data channel); retries until connected or given up. */
  call(peer: string, name: string): void {
    this.hangUp(peer);
    const call: Call = { id: newId(), early: [], view: { peer, name, state: 'calling', attempt: 0, messages: [] } };
    this.calls.set(peer, call);
    void this.attempt(call);
  }

  private async attempt(call: Call): Promise<void> {
    if (this.calls.get(call.view.peer) !== call) return;
    const n = call.view.attempt + 1;
    call.view = { ...call.view, attempt: n, state: n === 1 ? 'calling' : 'retrying' };
    this.emit();
    const pc = this.newConnection(call, n);
    const dc = pc.createDataChannel('chat');
    this.useChannel(call, dc);
    const track = await (this.camera ??= camera());
    const outgoing = this.screen ?? track;
    if (outgoing) call.sender = pc.addTrack(outgoing, new MediaStream([outgoing]));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.send(call.view.peer, 'offer', { from: this.myId, call: call.id, attempt: n, sdp: offer.sdp ?? '' });
    call.timer = setTimeout(() => this.failed(call, n), ATTEMPT_MS);
  }

  /** Attempt `n` of `call` did not connect: the next one, or give up. */
  private failed(call: Call, n: number): void {
    if (this.calls.get(call.view.peer) !== call || call.view.attempt !== n || call.view.state === 'connected') return;
    clearTimeout(call.timer);
    call.pc?.close();
    call.pc = undefined;
    if (n >= MAX_ATTEMPTS) {
      call.view = { ...call.view, state: 'failed' };
      this.emit();
      return;
    }
    call.view = { ...call.view, state: 'retrying' };
    this.emit();
    setTimeout(() => void this.attempt(call), 250 * 2 ** (n - 1));
  }

  /** Ends the call with `peer` (both sides). */
  hangUp(peer: string): void {
    const call = this.calls.get(peer);
    if (!call) return;
    clearTimeout(call.timer);
    call.pc?.close();
    this.calls.delete(peer);
    this.send(peer, 'bye', { from: this.myId, call: call.id });
    this.emit();
  }

  /** Sends `text` over the data channel of the call with `peer`. */
  say(peer: string, text: string): boolean {
    const call = this.calls.get(peer);
    if (!call?.dc || call.dc.readyState !== 'open') return false;
    call.dc.send(text);
    call.view = { ...call.view, messages: [...call.view.messages, { from: this.me.name, text }] };
    this.emit();
    return true;
  }

  /** Screen share on or off: the outgoing video of every call switches, and each peer gets the signalling event. */
  async setScreenShare(on: boolean): Promise<void> {
    if (on && !this.screen) this.screen = await screenTrack();
    if (!on) {
      this.screen?.stop();
      this.screen = undefined;
    }
    const track = on ? this.screen : await (this.camera ??= camera());
    this.screenShared = on;
    for (const call of this.calls.values()) {
      await call.sender?.replaceTrack(track ?? null).catch(() => {});
      this.send(call.view.peer, on ? 'screen.start' : 'screen.stop', { from: this.myId, call: call.id });
    }
    this.emit();
  }

  // --- both sides ---

  private newConnection(call: Call, attempt: number): RTCPeerConnection {
    call.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    call.pc = pc;
    call.early = [];
    pc.onicecandidate = (e) => {
      if (e.candidate) this.send(call.view.peer, 'ice', { from: this.myId, call: call.id, attempt, candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      call.view = { ...call.view, stream: e.streams[0] ?? new MediaStream([e.track]) };
      this.emit();
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' && this.me.role === 'presenter') this.failed(call, attempt);
    };
    return pc;
  }

  private useChannel(call: Call, dc: RTCDataChannel): void {
    call.dc = dc;
    dc.onopen = () => {
      clearTimeout(call.timer);
      call.view = { ...call.view, state: 'connected' };
      this.emit();
    };
    dc.onmessage = (e) => {
      call.view = { ...call.view, messages: [...call.view.messages, { from: call.view.name, text: String(e.data) }] };
      this.emit();
    };
    dc.onclose = () => {
      if (call.dc !== dc || call.view.state !== 'connected') return;
      call.view = { ...call.view, state: 'ended' };
      this.emit();
    };
  }

  private onSignal(type: string, s: Signal): void {
    const call = this.calls.get(s.from);
    if (type === 'offer') void this.onOffer(s);
    else if (type === 'answer' && call && call.id === s.call && call.view.attempt === s.attempt && call.pc) {
      void call.pc.setRemoteDescription({ type: 'answer', sdp: s.sdp }).then(() => this.flushEarly(call));
    } else if (type === 'ice' && call && call.id === s.call && call.view.attempt === s.attempt && call.pc && s.candidate) {
      if (call.pc.remoteDescription) void call.pc.addIceCandidate(s.candidate).catch(() => {});
      else call.early.push(s.candidate);
    } else if (type === 'bye' && call && call.id === s.call) {
      call.pc?.close();
      this.calls.delete(s.from);
      this.screenShared = false;
      this.emit();
    } else if ((type === 'screen.start' || type === 'screen.stop') && call && call.id === s.call) {
      this.screenShared = type === 'screen.start';
      this.emit();
    }
  }

  private flushEarly(call: Call): void {
    for (const c of call.early.splice(0)) void call.pc?.addIceCandidate(c).catch(() => {});
  }

  /** The attendee's side: a new offer (a new call, or the next attempt of this one) replaces what was there. */
  private async onOffer(s: Signal): Promise<void> {
    if (this.me.role === 'presenter' || s.attempt === undefined) return;
    let call = this.calls.get(s.from);
    if (call && call.id === s.call && call.view.attempt >= s.attempt) return;
    if (!call || call.id !== s.call) {
      const messages = call?.view.messages ?? [];
      call = { id: s.call, early: [], view: { peer: s.from, name: 'Presenter', state: 'calling', attempt: s.attempt, messages } };
      this.calls.set(s.from, call);
    }
    const c = call;
    c.view = { ...c.view, attempt: s.attempt, state: s.attempt === 1 ? 'calling' : 'retrying', stream: undefined };
    const pc = this.newConnection(c, s.attempt);
    pc.ondatachannel = (e) => this.useChannel(c, e.channel);
    await pc.setRemoteDescription({ type: 'offer', sdp: s.sdp });
    this.flushEarly(c);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.send(s.from, 'answer', { from: this.myId, call: c.id, attempt: s.attempt, sdp: answer.sdp ?? '' });
    this.emit();
  }

  close(): void {
    for (const call of this.calls.values()) call.pc?.close();
    this.calls.clear();
    this.screen?.stop();
  }
}

/** The camera (Chromium's fake one in the tests), or nothing when there is none or it is refused. */
async function camera(): Promise<MediaStreamTrack | undefined> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
    return stream.getVideoTracks()[0];
  } catch {
    return undefined;
  }
}

/** The screen (getDisplayMedia), or, where the browser cannot capture one, a canvas track standing for it. */
async function screenTrack(): Promise<MediaStreamTrack | undefined> {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (track) return track;
  } catch {
    /* no screen capture here: fall back to a drawn canvas */
  }
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const g = canvas.getContext('2d');
  const draw = () => {
    if (!g) return;
    g.fillStyle = '#1d3557';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#fff';
    g.font = '20px sans-serif';
    g.fillText(`screen ${new Date().toLocaleTimeString()}`, 20, 95);
  };
  draw();
  const timer = setInterval(draw, 500);
  const track = canvas.captureStream(5).getVideoTracks()[0];
  track?.addEventListener('ended', () => clearInterval(timer));
  return track;
}
