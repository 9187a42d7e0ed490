-- The tables loadwatch 0.1.0 (commit bfd7308) created with metadata.create_all,
-- as its SQLAlchemy emitted them; the migration tests build a 0.1.0 database from it.
CREATE TABLE athletes (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	created_utc DATETIME NOT NULL, 
	tz VARCHAR(64), 
	hr_rest FLOAT, 
	hr_max FLOAT, 
	sex VARCHAR(10), 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE TABLE source_files (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	original_name TEXT NOT NULL, 
	size BIGINT NOT NULL, 
	format VARCHAR(10), 
	outcome VARCHAR(20) NOT NULL, 
	error TEXT, 
	recovered BOOLEAN NOT NULL, 
	imported_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_source_athlete_sha UNIQUE (athlete_id, sha256), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE activities (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	sport VARCHAR(40) NOT NULL, 
	sub_sport VARCHAR(40), 
	start_utc DATETIME NOT NULL, 
	utc_offset_s INTEGER NOT NULL, 
	offset_source VARCHAR(20), 
	local_date DATE NOT NULL, 
	distance_m FLOAT NOT NULL, 
	timer_s FLOAT NOT NULL, 
	elapsed_s FLOAT NOT NULL, 
	elevation_gain_m FLOAT, 
	avg_hr FLOAT, 
	max_hr FLOAT, 
	device VARCHAR(100), 
	source_format VARCHAR(10) NOT NULL, 
	source_sha256 VARCHAR(64) NOT NULL, 
	session_index INTEGER NOT NULL, 
	recovered BOOLEAN NOT NULL, 
	name TEXT, 
	rpe FLOAT, 
	notes TEXT, 
	channels VARCHAR(40), 
	implausible TEXT, 
	accepted BOOLEAN, 
	PRIMARY KEY (id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE INDEX ix_activities_athlete_start ON activities (athlete_id, start_utc);

CREATE TABLE archives (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size BIGINT NOT NULL, 
	original_name TEXT NOT NULL, 
	layout VARCHAR(20) NOT NULL, 
	completed_utc DATETIME NOT NULL, 
	report_json TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_archive_athlete_sha UNIQUE (athlete_id, sha256), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE pain_entries (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	date DATE NOT NULL, 
	time TIME, 
	score INTEGER NOT NULL, 
	location VARCHAR(20) NOT NULL, 
	timing VARCHAR(20) NOT NULL, 
	sleep_h FLOAT, 
	stress INTEGER, 
	note TEXT, 
	created_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE INDEX ix_pain_athlete_date ON pain_entries (athlete_id, date);

CREATE TABLE planned_runs (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	date DATE NOT NULL, 
	distance_m FLOAT NOT NULL, 
	note TEXT, 
	created_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE INDEX ix_plans_athlete_date ON planned_runs (athlete_id, date);

CREATE TABLE athlete_revisions (
	athlete_id INTEGER NOT NULL, 
	revision INTEGER NOT NULL, 
	PRIMARY KEY (athlete_id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE wellness_days (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	date DATE NOT NULL, 
	source VARCHAR(20) NOT NULL, 
	sleep_h FLOAT, 
	sleep_score FLOAT, 
	sleep_quality INTEGER, 
	resting_hr FLOAT, 
	hrv_ms FLOAT, 
	stress_device FLOAT, 
	body_battery_high FLOAT, 
	stress_self INTEGER, 
	soreness INTEGER, 
	fatigue INTEGER, 
	note TEXT, 
	created_utc DATETIME NOT NULL, 
	updated_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_wellness_athlete_date_source UNIQUE (athlete_id, date, source), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE rehab_sessions (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	date DATE NOT NULL, 
	exercise VARCHAR(40) NOT NULL, 
	sets INTEGER, 
	reps INTEGER, 
	seconds INTEGER, 
	side VARCHAR(10), 
	note TEXT, 
	created_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE INDEX ix_rehab_athlete_date ON rehab_sessions (athlete_id, date);

CREATE TABLE rehab_plan (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	exercise VARCHAR(40) NOT NULL, 
	per_week INTEGER NOT NULL, 
	created_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_rehab_plan_athlete_exercise UNIQUE (athlete_id, exercise), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE calendar_sources (
	id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	location TEXT NOT NULL, 
	created_utc DATETIME NOT NULL, 
	synced_utc DATETIME, 
	sync_error TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_calendar_source UNIQUE (athlete_id, kind, location), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE TABLE sent_notifications (
	id INTEGER NOT NULL, 
	athlete_id INTEGER, 
	kind VARCHAR(10) NOT NULL, 
	rule VARCHAR(20), 
	first_date DATE, 
	last_date DATE, 
	severity VARCHAR(10), 
	digest_key TEXT, 
	sent_utc DATETIME NOT NULL, 
	cleared_utc DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id)
);

CREATE INDEX ix_sent_athlete ON sent_notifications (athlete_id, kind);

CREATE TABLE activity_sources (
	activity_id INTEGER NOT NULL, 
	source_file_id INTEGER NOT NULL, 
	session_index INTEGER NOT NULL, 
	format VARCHAR(10) NOT NULL, 
	PRIMARY KEY (activity_id, source_file_id, session_index), 
	FOREIGN KEY(activity_id) REFERENCES activities (id), 
	FOREIGN KEY(source_file_id) REFERENCES source_files (id)
);

CREATE TABLE plan_events (
	plan_id INTEGER NOT NULL, 
	athlete_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	uid TEXT NOT NULL, 
	occurrence VARCHAR(64) NOT NULL, 
	estimated BOOLEAN NOT NULL, 
	PRIMARY KEY (plan_id), 
	CONSTRAINT uq_plan_event UNIQUE (athlete_id, uid, occurrence), 
	FOREIGN KEY(plan_id) REFERENCES planned_runs (id) ON DELETE CASCADE, 
	FOREIGN KEY(athlete_id) REFERENCES athletes (id), 
	FOREIGN KEY(source_id) REFERENCES calendar_sources (id) ON DELETE CASCADE
);
