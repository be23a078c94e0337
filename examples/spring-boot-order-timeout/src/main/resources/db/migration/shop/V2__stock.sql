-- The shelf the simulation sells from.
INSERT INTO stock (item, initial, available) VALUES
    ('apple', 100000, 100000), ('banana', 100000, 100000), ('cherry', 100000, 100000),
    ('kiwi', 100000, 100000), ('plum', 100000, 100000);
