-- The answer to a customer's request about their data gets a mail kind of its own (it was sent as account-security
-- mail, and listed so in the customer's messages).
ALTER TABLE outbox
    DROP CONSTRAINT outbox_kind,
    ADD CONSTRAINT outbox_kind CHECK (kind IN ('incident', 'new-service', 'terms-change', 'consent', 'account-security',
                                               'data-request'));
