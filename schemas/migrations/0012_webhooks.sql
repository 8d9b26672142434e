-- webhook_subscriptions: the endpoints subscribed to shipment events
-- (/v1/webhooks). Every change (rotation, disabling, deletion) is a new row
-- of the same id; the row of the highest version (unix nanoseconds of the
-- change) is the subscription. The secret is kept as given: signing needs
-- it (docs/notifications.md).
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id              String,
    url             String,
    event_types     Array(String),
    carriers        Array(String),
    order_refs      Array(String),
    secret          String,
    previous_secret String,
    previous_until  DateTime('UTC'),
    disabled        UInt8,
    disabled_reason String,
    deleted         UInt8,
    created_at      DateTime('UTC'),
    updated_at      DateTime('UTC'),
    version         UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- webhook_dead_letters: deliveries given up on, by endpoint and webhook-id
-- (message_id). A replay writes the row again as queued, the notifier as
-- delivered or dead; the highest version is the state.
CREATE TABLE IF NOT EXISTS webhook_dead_letters (
    subscription_id String,
    message_id      String,
    event_id        String,
    event_type      String,
    body            String,
    attempts        UInt32,
    last_status     Int32,
    last_error      String,
    state           Enum8('dead' = 1, 'queued' = 2, 'delivered' = 3),
    at              DateTime('UTC'),
    version         UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (subscription_id, message_id);
