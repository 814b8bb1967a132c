/** The main bot in Russian (Fluent FTL; the ids and arguments are spec.ts's). Written as a Russian speaker would say it, not word for word. */
export const RU = `
button-add = ➕ Подключить бота
button-list = 📋 Мои боты
button-greeting = ✏️ Изменить приветствие
button-remove = 🗑 Отключить бота
button-subscribe = ⭐ Подписка
button-billing = 💳 Платежи
button-language = 🌐 Язык
button-cancel = ✖️ Отмена
language-name-en = 🇬🇧 English
language-name-ru = 🇷🇺 Русский

welcome-new =
    Добро пожаловать в Nova, { $name }! Подключите своего Telegram-бота, и он будет приветствовать каждого, кто ему напишет.
    Пользуйтесь меню ниже.
welcome-back = С возвращением, { $name }! Меню — ниже.
help =
    Nova подключает ваших собственных ботов.
    { button-add }: пришлите токен от @BotFather
    { button-list }: ваши боты и сколько людей им писали
    { button-greeting }: что отвечает ваш бот ({ $placeholder } заменяется именем собеседника)
    { button-remove }: отключить бота от Nova
    { button-subscribe }: тарифы для большего числа ботов, историй и публикаций; { button-billing }: ваши подписки и платежи
    Каналы: /link @имя_бота <id канала>, /unlink <id канала>, /channels
    Посты: /post all (текст — со следующей строки; чтобы запланировать, добавьте «in 2h» или «at 2027-01-01 09:00» по UTC), /posts, /editpost <номер> (новый текст — со следующей строки), /cancelpost <номер>
    Истории: /story @имя_бота 24h <ссылка на фото или видео> <подпись>
    { button-language }: /language переключает русский и английский.
    /cancel прерывает начатое.
cancelled = Отменено.
ask-token = Пришлите токен вашего бота. Его выдаёт @BotFather, когда вы создаёте бота командой /newbot; он выглядит так: 123456789:AAH…
not-a-token = Это не похоже на токен бота (цифры, двоеточие и ещё около 35 букв и цифр). Пришлите токен или нажмите «Отмена».
token-rejected = Telegram не принял этот токен. Проверьте его у @BotFather (/token) и пришлите снова или нажмите «Отмена».
bot-added =
    ✅ @{ $username } подключён. Каждый, кто ему напишет, получит ваше приветствие:

    { $greeting }

    Изменить его можно кнопкой «{ button-greeting }».
already-yours = @{ $username } уже подключён к вашему аккаунту.
taken = Этот бот уже подключён к Nova с другого аккаунта. Сначала его владелец должен его отключить.
bot-limit-free = У вас уже { $limit ->
        [one] { $limit } бот
        [few] { $limit } бота
       *[many] { $limit } ботов
    } — это максимум бесплатного тарифа. С подпиской на ботов ({ button-subscribe }) можно больше; или отключите одного кнопкой «{ button-remove }».
bot-limit-subscribed = У вас уже { $limit ->
        [one] { $limit } бот
        [few] { $limit } бота
       *[many] { $limit } ботов
    } — это максимум подписки на ботов. Чтобы подключить ещё одного, отключите какого-нибудь кнопкой «{ button-remove }».
no-bots = У вас пока нет ботов. Нажмите «{ button-add }», чтобы подключить первого.
bots-title = Ваши боты:
bots-line = • @{ $username }: { $count ->
    [one] { $count } человек
    [few] { $count } человека
   *[many] { $count } человек
}
choose-to-remove = Какого бота отключить?
choose-for-greeting = Приветствие какого бота вы хотите изменить?
choose-from-buttons = Выберите бота кнопками ниже или нажмите «Отмена».
ask-greeting = Пришлите новое приветствие для @{ $username }. { $placeholder } заменится именем того, кого бот приветствует.
greeting-saved =
    ✏️ Теперь @{ $username } отвечает так:

    { $greeting }
greeting-invalid = Приветствие — это текст от 1 до 4096 символов. Пришлите его ещё раз или нажмите «Отмена».
removed = 🗑 @{ $username } отключён: вебхук удалён, токен забыт.
bot-gone = Этот бот больше не подключён к вашему аккаунту.
not-understood = Не понял вас. Воспользуйтесь меню ниже или командой /help.
text-only = Пожалуйста, пришлите текст.
admin-link =
    🔐 Ваша ссылка для входа в админ-панель (одноразовая, действует { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    }; никому её не пересылайте):
    { $url }
choose-language = На каком языке с вами говорить? Выберите ниже или нажмите «Отмена».
language-set = 🌐 Теперь я говорю с вами по-русски. Сменить язык: /language.
language-unavailable = Сейчас не получается сменить язык. Попробуйте чуть позже.

offer-title = Подписки (оплата через CryptoBot или Platega):
offer-line =
    ⭐ { $title }: { $price }
       { $cryptobot } · { $platega }
no-plans = Сейчас нет доступных тарифов.
buy-usage = Чтобы купить тариф, нажмите одну из команд из списка /subscribe или отправьте /buy <тариф> <cryptobot|platega>, например /buy bots-30d cryptobot.
pay-link =
    Оплатите { $price } за «{ $title }» через { $provider }:
    { $url }

    Подписка начнётся, как только { $provider } подтвердит оплату.
unknown-plan = Такого тарифа нет. Список тарифов — /subscribe.
provider-down = { $provider } сейчас не принимает платежи. Оплатите через { $other }: { $command }
payments-unavailable = Оплата сейчас недоступна. Попробуйте чуть позже.
billing-none = У вас нет подписок. Тарифы — /subscribe.
billing-subscriptions = Ваши подписки:
billing-payments = Ваши платежи:
subscription-line = • { $kind } до { $until } ({ $status })
invoice-line = • { $date }: { $price }, { $provider }, { $status }
plan-title = { $kind ->
        [bots] Больше ботов
        [stories] Истории
       *[posting] Публикации в каналах
    }, { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
plan-kind = { $kind ->
    [bots] больше ботов
    [stories] истории
    [posting] публикации
   *[other] тариф
}
subscription-status = { $status ->
    [active] действует
    [expired] закончилась
    [revoked] отозвана
   *[other] неизвестно
}
invoice-status = { $status ->
    [pending] ждёт оплаты
    [paid] оплачен
    [expired] истёк
    [canceled] отменён
    [chargebacked] возвращён
   *[other] неизвестно
}
activated = ⭐ Оплата получена: подписка «{ $kind }» действует до { $until }. Подробности — /billing.

link-usage = Чтобы привязать канал, сделайте бота его администратором с правом публикации и отправьте /link @имя_бота <id канала>, например /link @mybot -1001234567890.
unlink-usage = Отправьте /unlink <id канала>, например /unlink -1001234567890. Ваши каналы — /channels.
cancel-usage = Отправьте /cancelpost <номер поста>, например /cancelpost 12. Ваши посты — /posts.
edit-usage =
    Напишите новый пост под командой — он заменит прежний:
    /editpost 12
    Новый текст…

    Чтобы заодно перенести пост, добавьте после номера «in 30m», «in 2h», «in 1d» или «at 2027-01-01 09:00» (UTC); форматирование, кнопки и «photo <ссылка>» — как в /post. Изменить можно только запланированный пост; ваши посты — /posts.
post-usage =
    Напишите пост под командой:
    /post all
    Ваш текст…

    Вместо «all» можно перечислить id каналов через запятую. Чтобы запланировать, добавьте «in 30m», «in 2h», «in 1d» или «at 2027-01-01 09:00» (UTC); для фото с текстом в подписи — «photo https://…/picture.jpg». Форматируйте текст как обычное сообщение (жирный, ссылки); строки вида [Магазин](https://example.com) под ним станут кнопками, по ряду на строку.
story-usage = Отправьте /story @имя_бота <6h|12h|24h|48h> <https-ссылка на фото (.jpg/.png) или видео (.mp4)> и подпись, например /story @mybot 24h https://example.com/sale.jpg Распродажа сегодня!
not-your-bot = @{ $name } — не ваш бот. Ваши боты — /bots.
past-time = Это время уже прошло. Укажите время в будущем (UTC), например «in 2h» или «at 2027-01-01 09:00».
no-channels = У вас пока нет привязанных каналов. Сделайте бота администратором канала, затем отправьте /link @имя_бота <id канала>.
channels-title = Ваши каналы:
channel-line = • { $title } ({ $chat }), { $kind ->
    [channel] канал
    [group] группа
   *[other] чат
}
linked = ✅ «{ $title }» привязан. Публикуйте в него командой /post.
unlinked = Канал отвязан.
no-posts = У вас пока нет постов. Написать пост — /post.
posts-title = Ваши посты (сначала новые):
post-line = • #{ $number } { $status ->
    [scheduled] запланирован на { $at } UTC, { $channels ->
            [one] { $channels } канал
            [few] { $channels } канала
           *[many] { $channels } каналов
        }
    [publishing] публикуется с { $at } UTC, { $channels ->
            [one] { $channels } канал
            [few] { $channels } канала
           *[many] { $channels } каналов
        }
    [published] опубликован { $at } UTC, { $sent } из { $channels ->
            [one] { $channels } канала
           *[other] { $channels } каналов
        }
   *[cancelled] отменён, был на { $at } UTC, { $channels ->
            [one] { $channels } канал
            [few] { $channels } канала
           *[many] { $channels } каналов
        }
}: «{ $preview }»
scheduled = 🕒 Пост #{ $number } запланирован на { $at } UTC в { $channels ->
        [one] { $channels } канал
        [few] { $channels } канала
       *[many] { $channels } каналов
    }. Отменить: /cancelpost { $number }.
published = 📣 Пост #{ $number } опубликован: { $sent } из { $channels ->
        [one] { $channels } канала
       *[other] { $channels } каналов
    }; подробности — в отчёте.
publishing = 📣 Пост #{ $number } публикуется; отчёт придёт, когда он появится во всех каналах.
post-cancelled = Пост #{ $number } отменён.
edited = ✏️ Пост #{ $number } изменён: он выйдет { $at } UTC в { $channels ->
        [one] { $channels } канал
        [few] { $channels } канала
       *[many] { $channels } каналов
    }.
story-posted = ✅ История опубликована через @{ $username } на { $hours ->
    [one] { $hours } час
    [few] { $hours } часа
   *[many] { $hours } часов
}.
story-failed = История не опубликована: { $error }
refused = Не выполнено: { $reason }.
refused-unknown = сервис публикаций отклонил этот запрос
publishing-unavailable = Публикация сейчас недоступна. Попробуйте чуть позже.
`;
