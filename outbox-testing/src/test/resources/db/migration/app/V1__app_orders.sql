CREATE TABLE app_orders (id bigint PRIMARY KEY, status text NOT NULL);
