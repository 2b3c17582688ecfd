// Creates (or replaces) the SCRAM-SHA-256 and SCRAM-SHA-512 credentials of the local stack's
// Kafka principals through the Admin API, reading the passwords from the 0600 credentials file
// (lines "kafka <principal> <password>") so they never appear on a command line.
// Run by infra/up.sh as a single-file program: java -cp <kafka classpath> ScramCredentials.java BOOTSTRAP FILE
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramCredentials {
  private static final int ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    List<String[]> users = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[1]))) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 3 && fields[0].equals("kafka")) users.add(fields);
    }
    try (Admin admin = Admin.create(props)) {
      // One request per mechanism: the broker refuses two changes to one user in a request.
      for (ScramMechanism mechanism : new ScramMechanism[] {ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512}) {
        List<UserScramCredentialAlteration> alterations = new ArrayList<>();
        for (String[] user : users) {
          alterations.add(new UserScramCredentialUpsertion(user[1], new ScramCredentialInfo(mechanism, ITERATIONS), user[2]));
        }
        admin.alterUserScramCredentials(alterations).all().get();
      }
    }
    System.out.println("SCRAM-SHA-256 and SCRAM-SHA-512 credentials set for " + users.size() + " principals");
  }
}
