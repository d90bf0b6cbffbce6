#pragma once
// A Kafka cluster of a test's own whose client listener speaks SASL_PLAINTEXT: the broker
// settings (for OwnKafka), the users it knows, and SCRAM credentials made with kafka-configs.

#include "support/kafka_handles.hpp"

#include <string>
#include <vector>

namespace msgwatch::test {

// PLAIN with two users, admin (admin-pw; the broker talks to itself as admin) and monitor
// (monitor-pw), then `extra`.
std::vector<std::string> sasl_broker_settings(const std::vector<std::string>& extra = {});

// The same with SCRAM-SHA-256 and SCRAM-SHA-512 enabled on the listener too; SCRAM's login
// module needs no options on the server side: the credentials live in the cluster's metadata.
std::vector<std::string> scram_broker_settings(const std::vector<std::string>& extra = {});

// The same with an authorizer (KRaft's StandardAuthorizer): the admin (and the controllers,
// which talk PLAINTEXT) may do anything, every other principal only what ACLs allow.
std::vector<std::string> acl_broker_settings(const std::vector<std::string>& extra = {});

// kafka-acls with `args` (e.g. --add --allow-principal User:monitor --operation Describe
// --topic t), as the PLAIN admin.
void kafka_acls(const std::string& bootstrap, const std::vector<std::string>& args);

// kafka-configs --alter on user `user`'s SCRAM credentials (`change`: --add-config ... or
// --delete-config ...), as the PLAIN admin; `client_properties` are more lines of the tool's
// client configuration (later lines win), e.g. security.protocol=SASL_SSL and a truststore.
void alter_scram_credentials(const std::string& bootstrap, const std::string& user,
                             const std::vector<std::string>& change,
                             const std::vector<std::string>& client_properties = {});

// librdkafka settings of the PLAIN admin, for the test's own clients (KafkaAdmin,
// ActiveConsumer, KafkaProducer).
KafkaSettings sasl_admin_client_settings();

}  // namespace msgwatch::test
