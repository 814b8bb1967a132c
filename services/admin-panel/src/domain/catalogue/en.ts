/** The admin panel in English (Fluent FTL; the ids and arguments are spec.ts's). */
export const EN = `
page-title = { $title } · Nova admin
brand = Nova admin
skip-to-content = Skip to content
nav-label = Main
nav-numbers = Numbers
nav-users = Users
nav-broadcast = Broadcast
nav-audit = Audit log
nav-migrations = Migrations
sign-out = Sign out { $name }
language-label = Language
language-name-en = English
language-name-ru = Русский
date-utc = { $date } UTC
back-to-panel = Back to the panel

problem-title = { $status ->
    [403] Not allowed
    [404] Not found
    [422] Not accepted
   *[other] Try again
}
no-such-page = There is no such page.
no-such-user = No such user.
no-such-bot = No such bot.
no-such-announcement = No such announcement.
no-kubernetes-stream = This panel has no access to a Kubernetes API.
not-found = What you asked for does not exist (any more).
context-silent = A part of Nova did not answer in time. Try again in a moment.
csrf-failed = The form's security check failed (it was sent from another page, or it is too old). Reload the page and try again.
no-longer-admin = This Telegram account is no longer an admin of Nova.
bot-owner-missing = The form did not say whose bot this is: open the owner's page and try again.
subscription-owner-missing = The form did not say whose subscription this is: open the user's page and try again.
refused-by-context = Refused: { $reason }

sign-in-title = Sign in
sign-in-who = Only the Telegram accounts named as admins in the panel's configuration may sign in.
sign-in-via-bot = An admin can also send /admin to the main bot: it answers with a link that signs in once.
sign-in-no-widget = Telegram's Login Widget is not set up here (NOVA_ADMIN_BOT_USERNAME). An operator can make a sign-in link with this command:
sign-in-command = nova-admin-login <your Telegram id>
sign-in-refused = Sign-in refused: { $reason ->
    [incomplete] the login data is incomplete.
    [bad-signature] the login data is not signed by the bot.
    [stale] the login is too old, sign in again.
   *[from-the-future] the login is dated in the future.
}
not-admin = This Telegram account is not an admin of Nova.
link-sent-to = The main bot sent this link to { $name }. It signs in once.
link-button = Sign in as { $name }
link-invalid = This sign-in link is not valid or has expired.
link-used = This sign-in link was already used: each one signs in once.
link-ask-again = Send /admin to the main bot for a new link.

users-title = Users
search-label = Find a user by Telegram id, @username or name
search-button = Search
search-too-long = At most { $max } characters.
no-match = No user matches “{ $query }”.
users-found = { $count ->
    [one] { $count } user
   *[other] { $count } users
} matching “{ $query }”
user-fallback-name = user { $id }
col-name = Name
col-username = Username
col-telegram-id = Telegram id
col-first-seen = First seen
col-last-seen = Last seen
blocked-badge = blocked
blocked-because = Blocked because
form-refused = The form was not accepted: see the messages below.
form-refused-because = The form was not accepted: { $reason }
reason-label = Reason
reason-optional-label = Reason (optional)
reason-required = Say why: the reason is kept in the audit log.
reason-too-long = At most { $max } characters.
reason-bad-character = The reason contains a character that cannot be stored.
form-incomplete = The form is incomplete: reload the page and try again.
block-user-legend = Block this user
unblock-user-legend = Unblock this user
block-user-button = Block user
unblock-user-button = Unblock user
grant-legend = Grant a subscription
plan-label = Plan
choose-plan = Choose a plan
choose-plan-error = Choose a plan.
plan-not-offered = That plan is not on offer.
plan-option = { $title } ({ $kind }, { $days ->
    [one] { $days } day
   *[other] { $days } days
})
grant-button = Grant
heading-activity = Recent activity
heading-bots = Bots
heading-subscriptions-payments = Subscriptions and payments
heading-admin-actions = Admin actions on this user
no-bots = No bots.
col-bot = Bot
col-audience = Audience
col-added = Added
col-state = State
col-action = Action
bot-active = active
bot-block-reason-label = Reason for blocking @{ $username }
bot-unblock-reason-label = Reason for unblocking @{ $username } (optional)
bot-block-button = Block @{ $username }
bot-unblock-button = Unblock @{ $username }
payments-silent = The payments context did not answer: subscriptions and payments are not shown.
no-subscriptions = No subscriptions.
subscriptions-caption = Subscriptions
col-kind = Kind
col-plan = Plan
col-from = From
col-until = Until
col-status = Status
col-source = Source
source-invoice = invoice { $invoice }
source-granted = granted by { $admin }: { $reason }
revoke-reason-label = Reason for revoking
revoke-button = Revoke
plan-kind = { $kind ->
    [bots] bots
    [stories] stories
    [posting] posting
   *[other] unknown
}
subscription-status = { $status ->
    [active] active
    [expired] expired
    [revoked] revoked
   *[other] unknown
}
invoice-status = { $status ->
    [pending] pending
    [paid] paid
    [expired] expired
    [canceled] canceled
    [chargebacked] charged back
   *[other] unknown
}
no-payments = No payments.
payments-caption = Payments
col-invoice = Invoice
col-provider = Provider
col-amount = Amount
col-created = Created
col-paid = Paid
notice-done = { $action ->
    [user-block] The user is blocked: the main bot ignores them.
    [user-unblock] The user is unblocked.
    [bot-block] The bot is blocked: its updates are dropped.
    [bot-unblock] The bot is unblocked.
    [grant] The subscription is granted.
   *[revoke] The subscription is revoked.
}

activity-silent = Not shown: { $which ->
    [publisher] the publishing context did not answer.
    [payments] the payments context did not answer.
   *[both] the publishing context and the payments context did not answer.
}
no-activity = No activity yet.
activity-caption = Recent activity, newest first
col-when = When
col-what = What
activity-kind = { $kind ->
    [seen] seen
    [bot] bot
    [post] post
    [payment] payment
    [subscription] subscription
   *[admin] admin
}
activity-first-seen = first talked to a bot of the platform
activity-last-seen = last talked to a bot of the platform
activity-connected = connected @{ $username }
activity-post-wrote = wrote post { $post } to { $channels ->
    [one] { $channels } channel
   *[other] { $channels } channels
} (now { $status })
activity-post-scheduled = scheduled post { $post } to { $channels ->
    [one] { $channels } channel
   *[other] { $channels } channels
} for { $at } (now { $status })
activity-post-published = post { $post } published
activity-post-published-failed = post { $post } published, { $failed } of { $channels ->
    [one] { $channels } channel
   *[other] { $channels } channels
} failed
post-status = { $status ->
    [scheduled] scheduled
    [publishing] going out
    [published] published
    [cancelled] cancelled
   *[other] unknown
}
activity-payment-asked = asked to pay for { $plan } (invoice { $invoice })
activity-payment-paid = paid for { $plan } (invoice { $invoice })
activity-subscription = subscription: { $plan }
activity-subscription-granted = subscription granted by hand: { $plan }
activity-admin = { $action } by admin { $admin } ({ $outcome })

audit-title = Audit log
audit-caption-latest = The latest admin actions, newest first
audit-caption-recent = Recent admin actions
no-audit = No admin actions recorded.
col-admin = Admin
col-target = Target
col-reason = Reason
col-outcome = Outcome
col-before-after = Before → after
audit-target = { $kind ->
    [user] user
    [bot] bot
    [subscription] subscription
   *[announcement] announcement
} { $id }
audit-outcome = { $outcome ->
    [pending] pending
    [done] done
   *[failed] failed
}
audit-outcome-error = { $outcome ->
    [pending] pending
    [done] done
   *[failed] failed
}: { $error }
show-details = show

numbers-title = Numbers
numbers-heading = Platform numbers
context-numbers-silent = { $context ->
    [users] The users context did not answer; its numbers are not available now.
    [bots] The bots context did not answer; its numbers are not available now.
    [payments] The payments context did not answer; its numbers are not available now.
   *[publishing] The publishing context did not answer; its numbers are not available now.
}
card-users = Users
card-new-today = New today
card-new-24h = New in 24 h
card-active-24h = Active in 24 h
card-active-7d = Active in 7 days
as-of = As of { $date }.
card-bots = Bots
card-blocked-bots = Blocked bots
card-active-subscriptions = Active subscriptions
card-revenue = Revenue
no-paid-invoices-card = no paid invoices yet
card-revenue-provider = Revenue, { $provider }
payments-count = { $count ->
    [one] { $count } payment
   *[other] { $count } payments
}
card-posts = Posts
card-scheduled = Scheduled
card-published = Published
card-published-24h = Published in 24 h
card-channels = Channels linked
heading-users = Users
heading-numbers-bots = Bots
heading-posts = Posts
heading-payments = Payments
heading-over-time = Over time
samples-every = The panel samples these numbers every { $every }.
samples-every-since = The panel samples these numbers every { $every }; { $count ->
    [one] { $count } sample
   *[other] { $count } samples
} since { $since }.
chart-users = Users
series-users = Users
series-active-24h = Active in 24 h
series-active-7d = Active in 7 days
chart-bots = Bots
series-bots = Bots
series-blocked = Blocked
chart-active-subscriptions = Active subscriptions
chart-revenue = Revenue so far ({ $currency })
chart-revenue-none = Revenue so far
no-paid-invoices = No paid invoices yet.
chart-no-history = No history yet.
chart-figures = The figures

broadcast-title = Broadcast
broadcast-legend = Announce from the main bot to every user
message-label = Message (plain text, at most { $max } characters)
russian-label = Russian version (optional, at most { $max } characters)
russian-hint = Users who read Nova in Russian get this version; everyone else gets the message above. Leave it empty to send the message above to everyone.
russian-too-long = The Russian version is { $length } characters long; Telegram takes at most { $max }. Shorten it by { $over }.
russian-bad-character = The Russian version contains a character that cannot be sent.
heading-russian-version = Russian version
announcement-refused = The publisher refused this announcement.
broadcast-hint = Every user not blocked here gets it once, at Telegram's pace (30 messages a second); users who blocked the bot are counted, not retried.
broadcast-send = Send to every user
heading-past-announcements = Past announcements
publisher-silent = The publisher did not answer: the past announcements cannot be shown now.
no-announcements = No announcement was sent yet.
announcements-caption = Past announcements, newest first
col-by = By
col-message = Message
col-progress = Progress
announcement-state = { $state ->
    [preparing] listing recipients
    [sending] sending
    [done] done
   *[unknown] unknown
}
announcement-summary = { $sent } sent, { $blocked } blocked the bot, { $failed } failed, { $remaining } remaining
announcement-empty = Write the message to send: it is empty.
announcement-too-long = The message is { $length } characters long; Telegram takes at most { $max }. Shorten it by { $over }.
announcement-bad-character = The message contains a character that cannot be sent.
announcement-title = Announcement { $id }
announcement-state-label = State:
announcement-updates = (this page updates every { $seconds ->
    [one] second
   *[other] { $seconds } seconds
})
announcement-progress-label = Recipients with an outcome
announcement-progress = { $settled } of { $recipients }
announcement-progress-cards = Progress
count-recipients = recipients
count-sent = sent
count-blocked = blocked the bot or never started it (Telegram 403)
count-failed = failed
count-remaining = remaining
count-rate = messages a second (last 10 s)
sent-by = Sent by
started = Started
finished = Finished
heading-message = Message
all-announcements = All announcements

migrations-title = Migrations
no-kubernetes = This panel has no access to a Kubernetes API (no in-cluster service account and no KUBECONFIG).
kubernetes-silent = The Kubernetes API did not answer.
kubernetes-refused = The Kubernetes API did not answer: HTTP { $status }
no-migrations = No NovaMigrations.
migrations-caption = NovaMigrations (read-only)
col-stage = Stage
col-route = Route
col-phase = Phase
col-weight = Weight
col-step = Step
col-last-analysis = Last analysis
phase-changed = { $name }: { $from } → { $to }
`;
