"""Model solutions for 02-rest-design. Try the exercises yourself before reading these."""

# Exercise 1: nouns in the path, the verb in the method; one action endpoint where CRUD does not fit.
exercise_1 = {
    "send a message to channel ch_1": "POST /v1/channels/ch_1/messages",
    "read the history of channel ch_1": "GET /v1/channels/ch_1/messages",
    "delete message msg_9": "DELETE /v1/messages/msg_9",
    "rename channel ch_1, changing nothing else": "PATCH /v1/channels/ch_1",
    "translate message msg_9 into French": "POST /v1/messages/msg_9/translate",
}

# Exercise 2: what the reference API answers.
exercise_2 = {
    "PUT /v1/channels/ch_1 renaming it to a name another channel has": 409,
    "DELETE /v1/channels/ch_1 (channels have no DELETE route)": 405,
    "GET /v1/channels/ch_1/messages?cursor=<a cursor from channel ch_2>": 400,
    "PATCH /v1/channels/ch_1 by a user who is not a member": 403,
    "DELETE /v1/messages/msg_9 by its sender": 204,
}

# Exercise 3: 50 messages, pages of 10, 3 arrivals at the head after every fetch.
# Rows 50 + 3 per gap; the walk takes 7 pages (offset 60 < 50 + 18 = 68), so 6 gaps x 3 = 18 repeats.
exercise_3 = 18

# Exercise 4: the row-value form, so SQLite seeks the index on (channel_id, created_at, id).
exercise_4 = "(created_at, id) > (:created_at, :id)"
