/**
 * The refusals in Russian (Fluent FTL; ids and arguments are spec.ts's): clauses for the caller's
 * sentence («Не выполнено: { $reason }.»), lower case, no closing full stop. Counts take Russian's
 * plural forms (1 символ, 2 символа, 5 символов).
 */
export const RU = `
field-required = { $field ->
    [content-text] у поста нет текста
    [content-buttons-text] у каждой кнопки должна быть надпись
    [content-buttons-url] у каждой кнопки должна быть ссылка
    [content-media-url] для истории нужна ссылка на фото или видео
   *[other] не заполнено поле { $field }
}
field-nul = { $field ->
    [content-text] в тексте есть символ NUL, его нельзя отправить
    [caption] в подписи есть символ NUL, его нельзя отправить
   *[other] в поле { $field } есть символ NUL, его нельзя отправить
}
field-too-long = { $field ->
    [content-text] текст слишком длинный: здесь Telegram принимает не больше { $max } { $max ->
            [one] символа
           *[other] символов
        }
    [caption] подпись слишком длинная: не больше { $max } { $max ->
            [one] символа
           *[other] символов
        }
    [content-buttons-text] надпись на кнопке слишком длинная: не больше { $max } { $max ->
            [one] символа
           *[other] символов
        }
   *[other] поле { $field } слишком длинное: не больше { $max } { $max ->
            [one] символа
           *[other] символов
        }
}
field-malformed = { $field ->
    [content-photo] фото — это file_id или ссылка без пробелов
    [content-buttons-url] ссылка кнопки должна начинаться с http://, https:// или tg://
    [content-media-url] для истории нужна ссылка http(s) на фото или видео
   *[other] поле { $field } заполнено не в том виде
}
field-telegram-id = { $field } — не идентификатор Telegram
field-chat-id = { $field ->
    [chat-id] это не идентификатор чата Telegram
    [chat-ids] это не идентификатор чата Telegram
   *[other] { $field } — не идентификатор чата Telegram
}
content-missing = у поста нет содержимого
text-blank = текст поста пуст
entity-type = оформление № { $position } в тексте — неизвестного Telegram вида
entity-outside = оформление № { $position } выходит за пределы текста
entity-url = ссылка в оформлении № { $position } должна начинаться с http://, https:// или tg://
button-row-size = в ряду кнопок № { $row } должно быть от 1 до { $max } { $max ->
        [one] кнопки
       *[other] кнопок
    }
buttons-too-many = в посте может быть не больше { $max } { $max ->
        [one] кнопки
       *[other] кнопок
    }
no-chats = посту нужен хотя бы один канал
too-many-chats = пост можно отправить не больше чем в { $max } { $max ->
        [one] канал
        [few] канала
       *[many] каналов
    }
chat-listed-twice = канал { $chat } указан дважды
time-invalid = это не время
time-past = это время уже прошло
not-a-channel = подключить можно только канал или группу, не личный чат
bot-not-found = бота { $bot } здесь нет
bot-not-yours = бот { $bot } принадлежит другому пользователю
chat-linked-by-another = чат { $chat } подключён другим пользователем
bot-cannot-see-chat = бот { $bot } не видит чат { $chat }: сначала добавьте его в канал администратором
bot-no-access = у бота { $bot } нет доступа к чату { $chat }
bot-not-admin = бот { $bot } не администратор в «{ $title }»: сделайте его администратором с правом публикации
bot-cannot-post = бот { $bot } — администратор в «{ $title }», но без права публикации: дайте ему право «Публикация сообщений»
chat-not-linked = канал { $chat } не подключён: сначала подключите его командой /link
no-posting-subscription = для публикации нужна действующая подписка: /subscribe
post-not-found = у вас нет поста #{ $post }
post-not-scheduled = пост #{ $post } { $status ->
    [published] уже опубликован
    [publishing] уже публикуется
   *[cancelled] отменён
}; { $action ->
    [edit] изменить
   *[cancel] отменить
} можно только запланированный пост
post-started = пост #{ $post } уже начал публиковаться, его нельзя { $action ->
    [edit] изменить
   *[cancel] отменить
}
post-cancelled = пост #{ $post } отменён
no-stories-subscription = для историй нужна действующая подписка: /subscribe
story-kind = история — это фото или видео
story-period = история может быть видна 6, 12, 24 или 48 часов
business-connection-missing = бот { $bot } не подключён к аккаунту Telegram Business: подключите его в «Настройки → Telegram для бизнеса → Чат-боты»
business-connection-gone = бот { $bot } отключён от аккаунта Telegram Business: подключите его снова в «Настройки → Telegram для бизнеса → Чат-боты»
business-no-story-right = боту { $bot } не разрешено управлять историями: включите для него «Управление историями» в «Настройки → Telegram для бизнеса → Чат-боты»
announcement-empty = { $version ->
    [ru] русская версия пуста: напишите её или не отправляйте совсем
    [en] английская версия пуста: напишите её или не отправляйте совсем
   *[text] сообщение пусто: напишите, что отправить
}
announcement-too-long = { $version ->
    [ru] в русской версии
    [en] в английской версии
   *[text] в сообщении
} { $length } { $length ->
        [one] символ
        [few] символа
       *[many] символов
    }, а Telegram принимает не больше { $max }
announcement-nul = { $version ->
    [ru] в русской версии
    [en] в английской версии
   *[text] в сообщении
} есть символ NUL, его нельзя отправить
announcement-broken-character = { $version ->
    [ru] в русской версии
    [en] в английской версии
   *[text] в сообщении
} есть испорченный символ (половина суррогатной пары)
translation-language = версия может быть только на русском или английском, не «{ $language }»
admin-required = у объявления должен быть отправивший его администратор
idempotency-key = ключ запроса должен быть длиной от 1 до { $max } символов
announcement-not-found = объявления { $announcement } нет
limit-range = предел должен быть от 0 до { $max }
due-before-too-far = due_before — не дальше чем через час
post-ids-too-many = не больше { $max } идентификаторов постов
until-required = у выдачи права нужен срок окончания
until-past = срок окончания должен быть в будущем
plan-not-found = тарифа «{ $plan }» нет (возможно, его сняли): обновите страницу и выберите снова
effect-key-reused = эта форма уже использована для другого запроса: обновите страницу
telegram-kicked = бота удалили из этого чата
telegram-not-member = бот не состоит в этом чате
telegram-no-right = у бота нет права администратора публиковать здесь
telegram-chat-not-found = Telegram не знает этот чат (удалён или бот его не видел)
telegram-blocked = пользователь заблокировал бота
`;
