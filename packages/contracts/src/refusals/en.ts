/**
 * The refusals in English (Fluent FTL; ids and arguments are spec.ts's). Each is a clause the
 * caller puts in its own sentence ("Not done: { $reason }."): lower case, no closing full stop.
 * `field` arrives as a key (content.text → content-text, indexes dropped).
 */
export const EN = `
field-required = { $field ->
    [content-text] the post needs its text
    [content-buttons-text] every button needs a label
    [content-buttons-url] every button needs a link
    [content-media-url] the story needs the link of its photo or video
   *[other] { $field } is missing
}
field-nul = { $field ->
    [content-text] the text holds a NUL character, which cannot be sent
    [caption] the caption holds a NUL character, which cannot be sent
   *[other] { $field } holds a NUL character, which cannot be sent
}
field-too-long = { $field ->
    [content-text] the text is too long: Telegram takes at most { $max } characters here
    [caption] the caption is too long: at most { $max } characters
    [content-buttons-text] a button's label is too long: at most { $max } characters
   *[other] { $field } is too long: at most { $max } characters
}
field-malformed = { $field ->
    [content-photo] the photo must be a file_id or a link without spaces
    [content-buttons-url] a button's link must start with http://, https:// or tg://
    [content-media-url] the story's media must be an http(s) link to a photo or a video
   *[other] { $field } is not in the expected form
}
field-telegram-id = { $field } is not a Telegram id
field-chat-id = { $field ->
    [chat-id] that is not a Telegram chat id
    [chat-ids] that is not a Telegram chat id
   *[other] { $field } is not a Telegram chat id
}
content-missing = the post has no content
text-blank = the post's text is blank
entity-type = formatting { $position } of the text is of a kind Telegram does not know
entity-outside = formatting { $position } lies outside the text
entity-url = the link of formatting { $position } must start with http://, https:// or tg://
button-row-size = button row { $row } must hold from 1 to { $max } buttons
buttons-too-many = a post takes at most { $max } buttons
no-chats = a post needs at least one channel
too-many-chats = a post goes to at most { $max } channels
chat-listed-twice = channel { $chat } is listed twice
time-invalid = that is not a valid time
time-past = that time is in the past
not-a-channel = only a channel or a group can be linked, not a private chat
bot-not-found = there is no bot { $bot } here
bot-not-yours = bot { $bot } belongs to someone else
chat-linked-by-another = chat { $chat } is linked by someone else
bot-cannot-see-chat = bot { $bot } cannot see chat { $chat }: add it to the channel as an administrator first
bot-no-access = bot { $bot } has no access to chat { $chat }
bot-not-admin = bot { $bot } is not an administrator of "{ $title }": make it an administrator allowed to post
bot-cannot-post = bot { $bot } is an administrator of "{ $title }" without the right to post: grant it "Post messages"
chat-not-linked = channel { $chat } is not linked: link it first with /link
no-posting-subscription = posting needs an active subscription: /subscribe
post-not-found = you have no post #{ $post }
post-not-scheduled = post #{ $post } is { $status ->
    [published] already published
    [publishing] already going out
   *[cancelled] cancelled
}; only a scheduled post can be { $action ->
    [edit] changed
   *[cancel] cancelled
}
post-started = post #{ $post } has started going out; it can no longer be { $action ->
    [edit] changed
   *[cancel] cancelled
}
post-cancelled = post #{ $post } was cancelled
no-stories-subscription = stories need an active subscription: /subscribe
story-kind = a story is a photo or a video
story-period = a story stays up for 6, 12, 24 or 48 hours
business-connection-missing = bot { $bot } is not connected to a Telegram Business account: connect it in Settings → Telegram Business → Chatbots
business-connection-gone = bot { $bot } was disconnected from the Telegram Business account: connect it again in Settings → Telegram Business → Chatbots
business-no-story-right = bot { $bot } may not manage stories: allow "Manage stories" for it in Settings → Telegram Business → Chatbots
announcement-empty = { $version ->
    [ru] the Russian version is empty: write it, or send none
    [en] the English version is empty: write it, or send none
   *[text] the message is empty: write the message to send
}
announcement-too-long = { $version ->
    [ru] the Russian version
    [en] the English version
   *[text] the message
} is { $length } characters long: Telegram takes at most { $max }
announcement-nul = { $version ->
    [ru] the Russian version
    [en] the English version
   *[text] the message
} holds a NUL character, which cannot be sent
announcement-broken-character = { $version ->
    [ru] the Russian version
    [en] the English version
   *[text] the message
} holds a broken character (half of a surrogate pair)
translation-language = a version may be in Russian or English only, not "{ $language }"
admin-required = an announcement needs the admin who sends it
idempotency-key = the request's key must be 1 to { $max } characters
announcement-not-found = there is no announcement { $announcement }
limit-range = the limit must be from 0 to { $max }
due-before-too-far = due_before must be at most an hour ahead
post-ids-too-many = at most { $max } post ids
until-required = the grant needs its end
until-past = the grant's end must be in the future
plan-not-found = there is no plan "{ $plan }" (it may have been withdrawn): reload the page and choose again
effect-key-reused = this form was already used for another request: reload the page
telegram-kicked = the bot was removed from this chat
telegram-not-member = the bot is not a member of this chat
telegram-no-right = the bot lacks the administrator right to post here
telegram-chat-not-found = Telegram does not know this chat (deleted, or never seen by the bot)
telegram-blocked = the person blocked the bot
`;
