// A Matrix test resident running the Rust crypto stack Element runs
// (@matrix-org/matrix-sdk-crypto-wasm), in strict mode:
//   - room keys go only to devices cross-signed by their owner
//     (CollectStrategy.identityBasedStrategy());
//   - room events are decrypted with DecryptionSettings(TrustRequirement.CrossSigned),
//     which refuses senders whose device is not cross-signed.
// Strict sharing refuses to encrypt at all while the sender's own cross-signing is not set
// up, so a resident started with {"cross_signing": false} can only send with
// {"strict": false} (on `start`, or per `send_text`): CollectStrategy.allDevices() and
// TrustRequirement.Untrusted, i.e. a lax legacy client for negative tests.
//
// Configuration (environment, or --key=value arguments that override it):
//   MATRIX_HOMESERVER / --homeserver     base URL, e.g. http://127.0.0.1:8008
//   MATRIX_USER_ID / --user-id           @alice:server
//   MATRIX_ACCESS_TOKEN / --access-token
//   MATRIX_DEVICE_ID / --device-id
//
// Protocol: one JSON command per line on stdin, one JSON reply per command on stdout
// (`id` echoed; failures reply {"id", "error"}). Logs go to stderr only. EOF on stdin
// stops the resident.

import { Console } from "node:console";
import { createInterface } from "node:readline";

import {
    CollectStrategy,
    DecryptionErrorCode,
    DecryptionSettings,
    DeviceId,
    DeviceLists,
    EncryptionAlgorithm,
    EncryptionSettings,
    OlmMachine,
    RequestType,
    RoomId,
    RoomSettings,
    TrustRequirement,
    UserId,
    initAsync,
} from "@matrix-org/matrix-sdk-crypto-wasm";

// Nothing but protocol replies may reach stdout: every console method goes to stderr.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

const API = "/_matrix/client/v3";
const HTTP_TIMEOUT_MS = 20_000;
const SYNC_SERVER_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 120_000;
const MAX_WAIT_S = 120;
const MEGOLM = "m.megolm.v1.aes-sha2";

// ---------------------------------------------------------------- configuration

function readConfig() {
    const args = {};
    for (const arg of process.argv.slice(2)) {
        const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
        if (match) args[match[1]] = match[2];
    }
    const config = {
        homeserver: args["homeserver"] ?? process.env.MATRIX_HOMESERVER,
        userId: args["user-id"] ?? process.env.MATRIX_USER_ID,
        accessToken: args["access-token"] ?? process.env.MATRIX_ACCESS_TOKEN,
        deviceId: args["device-id"] ?? process.env.MATRIX_DEVICE_ID,
    };
    const missing = Object.entries(config).filter(([, value]) => !value).map(([key]) => key);
    if (missing.length) {
        console.error(`resident: missing configuration: ${missing.join(", ")}`);
        process.exit(2);
    }
    config.homeserver = config.homeserver.replace(/\/+$/, "");
    return config;
}

const config = readConfig();
const log = (...parts) => console.error(`[resident ${config.userId}]`, ...parts);

// ---------------------------------------------------------------- small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `fn` after every earlier `run` of the same lock has settled. */
class Lock {
    constructor() {
        this.tail = Promise.resolve();
    }
    run(fn) {
        const result = this.tail.then(() => fn());
        this.tail = result.catch(() => undefined);
        return result;
    }
}

class MatrixError extends Error {
    constructor(method, path, status, body) {
        super(`${method} ${path} -> ${status} ${body?.errcode ?? ""}: ${body?.error ?? JSON.stringify(body)}`);
        this.status = status;
        this.body = body;
    }
}

let txnCounter = 0;
const txnId = () => `wasm-${process.pid}-${Date.now()}-${txnCounter++}`;
const seg = (value) => encodeURIComponent(value);

/** One authenticated client-server call; returns the raw text and the parsed body. */
async function http(method, path, body, timeoutMs = HTTP_TIMEOUT_MS) {
    const url = path.startsWith("/_matrix") ? config.homeserver + path : config.homeserver + API + path;
    const init = {
        method,
        headers: { Authorization: `Bearer ${config.accessToken}` },
        signal: AbortSignal.timeout(timeoutMs),
    };
    if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const answer = await fetch(url, init);
    const text = await answer.text();
    let parsed;
    try {
        parsed = text ? JSON.parse(text) : {};
    } catch {
        parsed = { error: text };
    }
    if (!answer.ok) throw new MatrixError(method, path.split("?")[0], answer.status, parsed);
    return { text, json: parsed };
}

// Strict unless started with {"strict": false} (a lax client, for negative tests).
let strict = true;

const decryptionSettings = () =>
    new DecryptionSettings(strict ? TrustRequirement.CrossSigned : TrustRequirement.Untrusted);

function encryptionSettings(strictSharing) {
    const settings = new EncryptionSettings();
    settings.algorithm = EncryptionAlgorithm.MegolmV1AesSha2;
    settings.sharingStrategy = strictSharing ? CollectStrategy.identityBasedStrategy() : CollectStrategy.allDevices();
    return settings;
}

const userIds = (ids) => ids.map((id) => new UserId(id));

// ---------------------------------------------------------------- state

/** @type {OlmMachine} */
let machine;
let syncToken = null;
let running = false;
let syncLoopDone = null;
const outgoingLock = new Lock();
const sendLock = new Lock();
const encryptedRooms = new Set();
const tracked = new Set();
/** room_id -> [{event_id, sender, type, body, content, encrypted, sender_device}] */
const timeline = new Map();
/** event_id -> {roomId, event, reason} for events not (yet) decrypted */
const undecryptable = new Map();
const seenEvents = new Set();

// ---------------------------------------------------------------- outgoing requests

/** Send one request from `outgoingRequests()` (or alike) and return the response text. */
async function sendRequest(request) {
    switch (request.type) {
        case RequestType.KeysUpload:
            return (await http("POST", "/keys/upload", request.body)).text;
        case RequestType.KeysQuery:
            return (await http("POST", "/keys/query", request.body)).text;
        case RequestType.KeysClaim:
            return (await http("POST", "/keys/claim", request.body)).text;
        case RequestType.ToDevice:
            return (await http("PUT", `/sendToDevice/${seg(request.event_type)}/${seg(request.txn_id)}`, request.body))
                .text;
        case RequestType.SignatureUpload:
            return (await http("POST", "/keys/signatures/upload", request.body)).text;
        case RequestType.RoomMessage:
            return (
                await http(
                    "PUT",
                    `/rooms/${seg(request.room_id)}/send/${seg(request.event_type)}/${seg(request.txn_id)}`,
                    request.body,
                )
            ).text;
        default:
            throw new Error(`unsupported outgoing request type ${request.type}`);
    }
}

async function sendAndMark(request) {
    const response = await sendRequest(request);
    if (request.id !== undefined) await machine.markRequestAsSent(request.id, request.type, response);
}

/** Drain `outgoingRequests()` until it is empty (bounded number of rounds). */
function processOutgoing() {
    return outgoingLock.run(async () => {
        for (let round = 0; round < 5; round++) {
            const requests = await machine.outgoingRequests();
            if (!requests.length) return;
            for (const request of requests) {
                if (request.type === RequestType.KeysBackup) continue; // no backup configured
                await sendAndMark(request);
            }
        }
    });
}

async function track(ids) {
    const fresh = ids.filter((id) => !tracked.has(id));
    if (!fresh.length) return;
    fresh.forEach((id) => tracked.add(id));
    await machine.updateTrackedUsers(userIds(fresh));
}

async function markEncrypted(roomId) {
    if (encryptedRooms.has(roomId)) return;
    encryptedRooms.add(roomId);
    const settings = new RoomSettings();
    settings.algorithm = EncryptionAlgorithm.MegolmV1AesSha2;
    settings.onlyAllowTrustedDevices = false; // sharing is governed by the identity-based strategy
    await machine.setRoomSettings(new RoomId(roomId), settings);
}

// ---------------------------------------------------------------- decryption

function describeDecryptionError(error) {
    if (error && typeof error.code === "number" && DecryptionErrorCode[error.code] !== undefined) {
        let reason = `${DecryptionErrorCode[error.code]}: ${error.description}`;
        if (error.withheldCode) reason += ` (withheld: ${error.withheldCode}: ${error.maybe_withheld ?? ""})`;
        return reason;
    }
    return String(error?.message ?? error);
}

function remember(roomId, entry) {
    if (!timeline.has(roomId)) timeline.set(roomId, []);
    timeline.get(roomId).push(entry);
}

async function tryDecrypt(roomId, event) {
    try {
        const decrypted = await machine.decryptRoomEvent(JSON.stringify(event), new RoomId(roomId), decryptionSettings());
        const clear = JSON.parse(decrypted.event);
        undecryptable.delete(event.event_id);
        remember(roomId, {
            event_id: event.event_id,
            sender: event.sender,
            type: clear.type,
            content: clear.content ?? {},
            encrypted: true,
            sender_device: decrypted.senderDevice?.toString() ?? null,
        });
    } catch (error) {
        const reason = describeDecryptionError(error);
        const previous = undecryptable.get(event.event_id);
        if (!previous || previous.reason !== reason) log(`cannot decrypt ${event.event_id} from ${event.sender}: ${reason}`);
        undecryptable.set(event.event_id, { roomId, event, reason });
    }
}

async function retryUndecryptable() {
    for (const { roomId, event } of [...undecryptable.values()]) await tryDecrypt(roomId, event);
}

// ---------------------------------------------------------------- sync

async function handleRoomEvent(roomId, event) {
    if (event.type === "m.room.encryption" && event.state_key === "") {
        await markEncrypted(roomId);
    } else if (event.type === "m.room.member" && ["join", "invite"].includes(event.content?.membership)) {
        await track([event.state_key]);
    }
    if (event.state_key !== undefined || !event.event_id || seenEvents.has(event.event_id)) return;
    seenEvents.add(event.event_id);
    if (event.type === "m.room.encrypted") {
        await tryDecrypt(roomId, event);
    } else if (event.type === "m.room.message") {
        remember(roomId, {
            event_id: event.event_id,
            sender: event.sender,
            type: event.type,
            content: event.content ?? {},
            encrypted: false,
            sender_device: null,
        });
    }
}

async function syncOnce(serverTimeoutMs) {
    const query = new URLSearchParams({ timeout: String(serverTimeoutMs) });
    if (syncToken) query.set("since", syncToken);
    const { json } = await http("GET", `/sync?${query}`, undefined, serverTimeoutMs + HTTP_TIMEOUT_MS);

    const lists = json.device_lists ?? {};
    const processed = await machine.receiveSyncChanges(
        JSON.stringify(json.to_device?.events ?? []),
        new DeviceLists(userIds(lists.changed ?? []), userIds(lists.left ?? [])),
        new Map(Object.entries(json.device_one_time_keys_count ?? {})),
        json.device_unused_fallback_key_types ? new Set(json.device_unused_fallback_key_types) : undefined,
    );
    for (const item of processed) {
        if (item.utdInfo) log(`undecryptable to-device event, reason code ${item.utdInfo.reason}`);
    }

    for (const [roomId, room] of Object.entries(json.rooms?.join ?? {})) {
        for (const event of room.state?.events ?? []) await handleRoomEvent(roomId, event);
        for (const event of room.timeline?.events ?? []) await handleRoomEvent(roomId, event);
    }
    syncToken = json.next_batch;
    await processOutgoing();
    await retryUndecryptable();
}

async function syncLoop() {
    while (running) {
        try {
            await syncOnce(SYNC_SERVER_TIMEOUT_MS);
        } catch (error) {
            if (!running) break;
            log(`sync failed: ${error?.message ?? error}`);
            await sleep(500);
        }
    }
}

// ---------------------------------------------------------------- commands

function seconds(value, fallback) {
    const number = Number(value ?? fallback);
    if (!Number.isFinite(number) || number <= 0) return fallback;
    return Math.min(number, MAX_WAIT_S);
}

async function waitUntil(predicate, timeoutS) {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
        const value = await predicate();
        if (value) return value;
        if (Date.now() >= deadline) return null;
        await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
}

async function ownDeviceCrossSigned() {
    const device = await machine.getDevice(new UserId(config.userId), new DeviceId(config.deviceId), 5);
    return Boolean(device?.isCrossSignedByOwner());
}

async function cmdStart(command) {
    if (machine) throw new Error("already started");
    strict = command.strict !== false;
    machine = await OlmMachine.initialize(new UserId(config.userId), new DeviceId(config.deviceId));
    await processOutgoing(); // device keys and one-time keys
    const crossSigning = command.cross_signing !== false;
    if (crossSigning) {
        const requests = await machine.bootstrapCrossSigning(true);
        if (requests.uploadKeysRequest) await sendAndMark(requests.uploadKeysRequest);
        try {
            // MSC3967: the first upload of cross-signing keys needs no user-interactive auth.
            await http("POST", "/keys/device_signing/upload", requests.uploadSigningKeysRequest.body);
        } catch (error) {
            if (error.status === 401) throw new Error(`cross-signing upload asked for UIA: ${error.message}`);
            throw error;
        }
        await http("POST", "/keys/signatures/upload", requests.uploadSignaturesRequest.body);
    }
    await track([config.userId]);
    await processOutgoing();
    // Query our own keys back, so the machine sees the signature on its device.
    await outgoingLock.run(() => sendAndMark(machine.queryKeysForUsers(userIds([config.userId]))));
    await syncOnce(0);
    running = true;
    syncLoopDone = syncLoop();
    const crossSigned = await ownDeviceCrossSigned();
    if (crossSigning && !crossSigned) throw new Error("own device is not cross-signed after bootstrap");
    return { ok: true, device_id: config.deviceId, cross_signed: crossSigned, strict };
}

function requireStarted() {
    if (!machine || !running) throw new Error("not started: send {\"cmd\":\"start\"} first");
}

async function cmdCreateDm(command) {
    requireStarted();
    if (!command.invite) throw new Error("create_dm needs 'invite'");
    const { json } = await http("POST", "/createRoom", {
        preset: "trusted_private_chat",
        is_direct: true,
        invite: [command.invite],
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: MEGOLM } }],
    });
    await markEncrypted(json.room_id);
    await track([config.userId, command.invite]);
    return { room_id: json.room_id };
}

async function cmdJoin(command) {
    requireStarted();
    if (!command.room_id) throw new Error("join needs 'room_id'");
    const { json } = await http("POST", `/join/${seg(command.room_id)}`, {});
    try {
        await http("GET", `/rooms/${seg(json.room_id)}/state/m.room.encryption/`);
        await markEncrypted(json.room_id);
    } catch (error) {
        if (error.status !== 404) throw error;
    }
    await track(await roomMembers(json.room_id));
    return { room_id: json.room_id };
}

async function membership(roomId, userId) {
    try {
        const { json } = await http("GET", `/rooms/${seg(roomId)}/state/m.room.member/${seg(userId)}`);
        return json.membership ?? null;
    } catch (error) {
        if (error.status === 404) return null;
        throw error;
    }
}

async function cmdWaitJoined(command) {
    requireStarted();
    const timeoutS = seconds(command.timeout, 10);
    const joined = await waitUntil(async () => (await membership(command.room_id, command.user_id)) === "join", timeoutS);
    if (!joined) {
        const last = await membership(command.room_id, command.user_id);
        return { error: "timeout", membership: last };
    }
    return { ok: true };
}

/** Joined and invited members: Element shares room keys with invited users too. */
async function roomMembers(roomId) {
    const { json } = await http("GET", `/rooms/${seg(roomId)}/members`);
    return (json.chunk ?? [])
        .filter((event) => ["join", "invite"].includes(event.content?.membership))
        .map((event) => event.state_key);
}

async function cmdSendText(command) {
    requireStarted();
    const roomId = command.room_id;
    if (!roomId || typeof command.body !== "string") throw new Error("send_text needs 'room_id' and 'body'");
    return sendLock.run(async () => {
        if (!encryptedRooms.has(roomId)) throw new Error(`room ${roomId} is not known to be encrypted`);
        const members = await roomMembers(roomId);
        await track(members);
        await processOutgoing(); // pending /keys/query for new members
        for (const userId of members) await machine.getUserDevices(new UserId(userId), 5); // waits out stale lists

        const claim = await machine.getMissingSessions(userIds(members));
        if (claim) await sendAndMark(claim);

        const shared = [];
        const withheld = [];
        const toDevice = await machine.shareRoomKey(new RoomId(roomId), userIds(members), encryptionSettings(command.strict ?? strict));
        for (const request of toDevice) {
            const messages = JSON.parse(request.body).messages ?? {};
            for (const [userId, devices] of Object.entries(messages)) {
                for (const [deviceId, content] of Object.entries(devices)) {
                    if (request.event_type === "m.room.encrypted") shared.push(`${userId}|${deviceId}`);
                    else if (request.event_type === "m.room_key.withheld")
                        withheld.push({ device: `${userId}|${deviceId}`, code: content.code ?? null });
                }
            }
            await sendAndMark(request);
        }
        // Withheld notices may also be queued as ordinary outgoing requests.
        await processOutgoing();

        const content = { msgtype: "m.text", body: command.body };
        const encrypted = await machine.encryptRoomEvent(new RoomId(roomId), "m.room.message", JSON.stringify(content));
        const { json } = await http(
            "PUT",
            `/rooms/${seg(roomId)}/send/m.room.encrypted/${seg(txnId())}`,
            encrypted,
        );
        return { event_id: json.event_id, shared_with_devices: shared.sort(), withheld_from_devices: withheld };
    });
}

function undecryptableIn(roomId) {
    return [...undecryptable.values()]
        .filter((item) => item.roomId === roomId && item.event.sender !== config.userId)
        .map((item) => ({ event_id: item.event.event_id, sender: item.event.sender, reason: item.reason }));
}

async function cmdWaitMessage(command) {
    requireStarted();
    const { room_id: roomId, contains } = command;
    if (!roomId || typeof contains !== "string") throw new Error("wait_message needs 'room_id' and 'contains'");
    const timeoutS = seconds(command.timeout, 15);
    const found = await waitUntil(() => {
        const events = timeline.get(roomId) ?? [];
        return events.find(
            (event) =>
                event.sender !== config.userId &&
                typeof event.content.body === "string" &&
                event.content.body.includes(contains),
        );
    }, timeoutS);
    if (!found) return { error: "timeout", undecryptable: undecryptableIn(roomId) };
    return {
        body: found.content.body,
        sender: found.sender,
        event_id: found.event_id,
        type: found.type,
        encrypted: found.encrypted,
        sender_device: found.sender_device,
    };
}

async function cmdStop() {
    running = false;
    if (syncLoopDone) {
        await Promise.race([syncLoopDone, sleep(SYNC_SERVER_TIMEOUT_MS + HTTP_TIMEOUT_MS)]);
    }
    return { ok: true };
}

const COMMANDS = {
    start: cmdStart,
    create_dm: cmdCreateDm,
    join: cmdJoin,
    wait_joined: cmdWaitJoined,
    send_text: cmdSendText,
    wait_message: cmdWaitMessage,
    stop: cmdStop,
};

function reply(message) {
    process.stdout.write(JSON.stringify(message) + "\n");
}

let stopping = false;

async function handleLine(line) {
    if (!line.trim()) return;
    let command;
    try {
        command = JSON.parse(line);
    } catch (error) {
        reply({ id: null, error: `bad JSON: ${error.message}` });
        return;
    }
    const id = command.id ?? null;
    const handler = COMMANDS[command.cmd];
    if (!handler) {
        reply({ id, error: `unknown command ${JSON.stringify(command.cmd)}` });
        return;
    }
    let timer;
    try {
        const result = await Promise.race([
            handler(command),
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`command timed out after ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
            }),
        ]);
        reply({ id, ...result });
    } catch (error) {
        log(`command ${command.cmd} failed: ${error?.stack ?? error}`);
        reply({ id, error: String(error?.message ?? error) });
    } finally {
        clearTimeout(timer);
    }
    if (command.cmd === "stop") {
        stopping = true;
        process.stdout.write("", () => process.exit(0));
    }
}

async function main() {
    await initAsync();
    const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
    input.on("line", (line) => {
        if (!stopping) handleLine(line);
    });
    input.on("close", async () => {
        if (stopping) return;
        log("stdin closed, stopping");
        await cmdStop();
        process.exit(0);
    });
}

main().catch((error) => {
    log(`fatal: ${error?.stack ?? error}`);
    process.exit(1);
});
