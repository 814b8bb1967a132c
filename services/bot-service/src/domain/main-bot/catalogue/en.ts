/** The main bot in English (Fluent FTL; the ids and arguments are spec.ts's). */
export const EN = `
button-add = ➕ Add a bot
button-list = 📋 My bots
button-greeting = ✏️ Change greeting
button-remove = 🗑 Remove a bot
button-subscribe = ⭐ Subscribe
button-billing = 💳 Billing
button-language = 🌐 Language
button-cancel = ✖️ Cancel
language-name-en = 🇬🇧 English
language-name-ru = 🇷🇺 Русский

welcome-new =
    Welcome to Nova, { $name }! Connect your own Telegram bot and it will greet everyone who writes to it.
    Use the menu below.
welcome-back = Welcome back, { $name }! Use the menu below.
help =
    Nova connects your own bots.
    { button-add }: send me a token from @BotFather
    { button-list }: your bots and how many people talked to them
    { button-greeting }: what your bot answers ({ $placeholder } becomes the person's first name)
    { button-remove }: disconnect a bot
    { button-subscribe }: plans for more bots, stories and posting; { button-billing }: your subscriptions and payments
    Channels: /link @yourbot <channel id>, /unlink <channel id>, /channels
    Posts: /post all (the text on the next lines; add "in 2h" or "at 2027-01-01 09:00" UTC to schedule), /posts, /editpost <number> (the new text on the next lines), /cancelpost <number>
    Stories: /story @yourbot 24h <link to a photo or video> <caption>
    { button-language }: /language switches between English and Russian.
    /cancel stops what you started.
cancelled = Cancelled.
ask-token = Send me your bot's token. @BotFather gives it when you create a bot with /newbot; it looks like 123456789:AAH…
not-a-token = That does not look like a bot token (digits, a colon, then about 35 letters and digits). Send the token, or press Cancel.
token-rejected = Telegram did not accept this token. Check it with @BotFather (/token) and send it again, or press Cancel.
bot-added =
    ✅ @{ $username } is connected. Everyone who writes to it gets your greeting:

    { $greeting }

    Change it with "{ button-greeting }".
already-yours = @{ $username } is already connected to your account.
taken = This bot is already connected to Nova by another account. Its owner can remove it first.
bot-limit-free = You already have { $limit ->
        [one] { $limit } bot
       *[other] { $limit } bots
    }, the most the free plan allows. A bots subscription ({ button-subscribe }) allows more, or remove one with "{ button-remove }".
bot-limit-subscribed = You already have { $limit ->
        [one] { $limit } bot
       *[other] { $limit } bots
    }, the most a bots subscription allows. Remove one with "{ button-remove }" to connect another.
no-bots = You have no bots yet. Press "{ button-add }" to connect one.
bots-title = Your bots:
bots-line = • @{ $username }: { $count ->
    [one] { $count } person
   *[other] { $count } people
}
choose-to-remove = Which bot should I disconnect?
choose-for-greeting = Which bot's greeting do you want to change?
choose-from-buttons = Choose one of your bots with the buttons below, or press Cancel.
ask-greeting = Send the new greeting for @{ $username }. { $placeholder } is replaced by the first name of the person it greets.
greeting-saved =
    ✏️ @{ $username } now answers:

    { $greeting }
greeting-invalid = A greeting is text of 1 to 4096 characters. Send it again, or press Cancel.
removed = 🗑 @{ $username } is disconnected. Its webhook is deleted and its token forgotten.
bot-gone = That bot is no longer connected to your account.
not-understood = I did not understand that. Use the menu below, or /help.
text-only = Please send text.
admin-link =
    🔐 Your sign-in link to the admin panel (it works once, for { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }; do not forward it):
    { $url }
choose-language = Which language should I speak? Choose below, or press Cancel.
language-set = 🌐 I speak English with you now. /language changes it.
language-unavailable = The language cannot be changed right now. Please try again later.

offer-title = Subscriptions (pay with CryptoBot or Platega):
offer-line =
    ⭐ { $title }: { $price }
       { $cryptobot } · { $platega }
no-plans = There are no plans on offer right now.
buy-usage = To buy a plan, tap one of the commands /subscribe lists, or send /buy <plan> <cryptobot|platega>, e.g. /buy bots-30d cryptobot.
pay-link =
    Pay { $price } for "{ $title }" with { $provider }:
    { $url }

    The subscription starts as soon as { $provider } confirms the payment.
unknown-plan = There is no such plan. /subscribe lists the plans on offer.
provider-down = { $provider } cannot take payments right now. Pay with { $other } instead: { $command }
payments-unavailable = Payments are not available right now. Please try again later.
billing-none = You have no subscriptions. /subscribe shows the plans.
billing-subscriptions = Your subscriptions:
billing-payments = Your payments:
subscription-line = • { $kind } until { $until } ({ $status })
invoice-line = • { $date }: { $price }, { $provider }, { $status }
plan-title = { $kind ->
        [bots] More bots
        [stories] Stories
       *[posting] Channel posting
    }, { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
plan-kind = { $kind ->
    [bots] more bots
    [stories] stories
    [posting] posting
   *[other] plan
}
subscription-status = { $status ->
    [active] active
    [expired] ended
    [revoked] revoked
   *[other] unknown
}
invoice-status = { $status ->
    [pending] waiting for payment
    [paid] paid
    [expired] expired
    [canceled] canceled
    [chargebacked] charged back
   *[other] unknown
}
activated = ⭐ Payment received: your { $kind } subscription is active until { $until }. /billing shows it.

link-usage = To link a channel, make your bot an administrator of it allowed to post, then send /link @yourbot <channel id>, e.g. /link @mybot -1001234567890.
unlink-usage = Send /unlink <channel id>, e.g. /unlink -1001234567890. /channels lists your channels.
cancel-usage = Send /cancelpost <post number>, e.g. /cancelpost 12. /posts lists your posts.
edit-usage =
    Write the new post under the command; it replaces the old one:
    /editpost 12
    Your new text…

    Add "in 30m", "in 2h", "in 1d" or "at 2027-01-01 09:00" (UTC) after the number to move it too, and format, buttons and "photo <link>" as in /post. Only a scheduled post can be changed; /posts lists yours.
post-usage =
    Write the post under the command:
    /post all
    Your text…

    Instead of "all", name channels by id (comma-separated). Add "in 30m", "in 2h", "in 1d" or "at 2027-01-01 09:00" (UTC) to schedule it, and "photo https://…/picture.jpg" for a photo with the text as its caption. Format the text as any message (bold, links); lines like [Shop](https://example.com) under it become buttons, one row per line.
story-usage = Send /story @yourbot <6h|12h|24h|48h> <https link to a photo (.jpg/.png) or video (.mp4)> and a caption, e.g. /story @mybot 24h https://example.com/sale.jpg Sale today!
not-your-bot = @{ $name } is not one of your bots. /bots lists them.
past-time = That time has passed. Give a time in the future (UTC), e.g. "in 2h" or "at 2027-01-01 09:00".
no-channels = You have no linked channels yet. Make your bot an administrator of a channel, then /link @yourbot <channel id>.
channels-title = Your channels:
channel-line = • { $title } ({ $chat }), { $kind ->
    [channel] channel
    [group] group
   *[other] chat
}
linked = ✅ "{ $title }" is linked. Post to it with /post.
unlinked = The channel is unlinked.
no-posts = You have no posts yet. /post writes one.
posts-title = Your posts (newest first):
post-line = • #{ $number } { $status ->
    [scheduled] scheduled for { $at } UTC, { $channels ->
            [one] { $channels } channel
           *[other] { $channels } channels
        }
    [publishing] going out since { $at } UTC, { $channels ->
            [one] { $channels } channel
           *[other] { $channels } channels
        }
    [published] published { $at } UTC, { $sent } of { $channels ->
            [one] { $channels } channel
           *[other] { $channels } channels
        }
   *[cancelled] cancelled, was for { $at } UTC, { $channels ->
            [one] { $channels } channel
           *[other] { $channels } channels
        }
}: "{ $preview }"
scheduled = 🕒 Post #{ $number } is scheduled for { $at } UTC in { $channels ->
        [one] { $channels } channel
       *[other] { $channels } channels
    }. /cancelpost { $number } cancels it.
published = 📣 Post #{ $number } went out: { $sent } of { $channels ->
        [one] { $channels } channel
       *[other] { $channels } channels
    }; the report says which.
publishing = 📣 Post #{ $number } is going out; you get the report when every channel has it.
post-cancelled = Post #{ $number } is cancelled.
edited = ✏️ Post #{ $number } is changed: it goes out { $at } UTC in { $channels ->
        [one] { $channels } channel
       *[other] { $channels } channels
    }.
story-posted = ✅ Your story is posted through @{ $username } for { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}.
story-failed = The story was not posted: { $error }
refused = Not done: { $reason }.
refused-unknown = the publishing service refused this request
publishing-unavailable = Publishing is not available right now. Please try again later.
`;
